package org.pathways.platform.http;

import java.io.IOException;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;

import org.pathways.platform.problem.ProblemResponses;

/**
 * The servlet error page ({@code server.error.path}, {@code /error}): whatever reached it (a {@code sendError}, an
 * exception thrown by a filter before Spring MVC) is answered as problem details, in place of Spring Boot's
 * whitelabel JSON or HTML. A request the caller got wrong is a 400; only our own failures are 500s. Asked for
 * directly, without an error behind it, it is a 404.
 */
@Controller
public class ProblemErrorController implements ErrorController {

    @RequestMapping("${server.error.path:${error.path:/error}}")
    void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Throwable failure = (Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        if (code == null && failure == null) {
            // asked for directly (GET /error), not reached through an error: there is nothing here
            response.reset();
            ProblemResponses.write(response, HttpStatus.NOT_FOUND);
            return;
        }
        HttpStatus status = HttpStatus.resolve(code instanceof Integer value ? value : 500);
        if (causedBy(failure, MaxUploadSizeExceededException.class)) {
            response.reset();
            ProblemResponses.write(response, HttpStatus.CONTENT_TOO_LARGE);
            return;
        }
        // A body no filter could read (a form whose percent-encoding is broken, read by Spring's form filter before
        // any handler) or a multipart body that does not parse: the caller's mistake too.
        if (status == null || causedBy(failure, InvalidParameterException.class)
                || causedBy(failure, RequestRejectedException.class)
                || causedBy(failure, HttpMessageNotReadableException.class)
                || causedBy(failure, MultipartException.class)) {
            status = HttpStatus.BAD_REQUEST;
        }
        response.reset();
        ProblemResponses.write(response, status);
    }

    static boolean causedBy(Throwable failure, Class<? extends Throwable> kind) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (kind.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }
}
