// Every htmx request carries the CSRF token of the page (Spring Security checks it like a form's hidden field).
document.addEventListener('htmx:configRequest', function (event) {
  var token = document.querySelector('meta[name="_csrf"]');
  var header = document.querySelector('meta[name="_csrf_header"]');
  if (token && header) {
    event.detail.headers[header.content] = token.content;
  }
});

// A problem's field links (fragments/problem.html) take the person to the field and put the cursor in it, and the
// problem itself is read out first when a refused form comes back.
document.addEventListener('click', function (event) {
  var link = event.target.closest && event.target.closest('.field-problems a[href^="#"]');
  if (!link) {
    return;
  }
  var field = document.getElementById(link.getAttribute('href').substring(1));
  if (field) {
    event.preventDefault();
    field.scrollIntoView({ block: 'center' });
    field.focus();
  }
});
document.addEventListener('DOMContentLoaded', function () {
  var problem = document.getElementById('problem');
  if (problem) {
    problem.setAttribute('tabindex', '-1');
    problem.focus();
  }
});

// What cannot be undone is asked first: a form with data-confirm (withdrawing a consent, turning a referral down,
// deleting a subscription) is sent only if the person says yes.
document.addEventListener('submit', function (event) {
  var form = event.target;
  var question = form && form.getAttribute && form.getAttribute('data-confirm');
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
}, true);
