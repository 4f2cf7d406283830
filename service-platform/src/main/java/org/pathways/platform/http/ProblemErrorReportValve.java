package org.pathways.platform.http;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.springframework.http.HttpStatus;

import org.pathways.platform.problem.ProblemResponses;

/**
 * Tomcat's own error report, for what it refuses before the request reaches Spring (a path with {@code %2F},
 * {@code %00} or bad percent-encoding, an unparseable request line, headers too large): problem details instead of
 * Tomcat's HTML page. Installed on the host in place of Tomcat's and Spring Boot's report valves.
 */
public class ProblemErrorReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        // As Tomcat's: nothing to do below 400, once anything was written, or when the error was reported already.
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(false);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        HttpStatus resolved = HttpStatus.resolve(status);
        try {
            response.setSuspended(false);
            ProblemResponses.write(response.getResponse(), resolved == null ? HttpStatus.BAD_REQUEST : resolved);
            response.finishResponse();
        } catch (IOException | IllegalStateException e) {
            // the connection is gone or the response cannot be written: nothing left to tell the caller
        }
    }
}
