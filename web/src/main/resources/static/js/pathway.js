// The learner's pathway: the print button (a plain link to the browser's own print dialogue, where "Save as PDF" is).
document.addEventListener('click', function (event) {
  if (event.target.closest('[data-print]')) {
    window.print();
  }
});
