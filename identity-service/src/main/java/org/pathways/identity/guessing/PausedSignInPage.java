package org.pathways.identity.guessing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.web.util.HtmlUtils;

/**
 * The sign-in form's answer to a failure. Spring Security's default login page says only "Invalid credentials",
 * whatever failed, which is right for a wrong password or an unknown username (they must read the same) but would
 * leave a person whose sign-ins are paused retrying in vain: that one gets {@code 429} with {@code Retry-After} and
 * a page in the login page's style saying to wait, and a link back to the form. Every other failure goes where
 * form login sends it.
 */
final class PausedSignInPage implements AuthenticationFailureHandler {

    private final AuthenticationFailureHandler otherFailures;

    PausedSignInPage(AuthenticationFailureHandler otherFailures) {
        this.otherFailures = otherFailures;
    }

    @Override
    public void onAuthenticationFailure(HttpServletRequest request, HttpServletResponse response,
                                        AuthenticationException exception) throws IOException, ServletException {
        if (!(exception instanceof SignInsPaused paused)) {
            otherFailures.onAuthenticationFailure(request, response, exception);
            return;
        }
        response.setStatus(HttpStatus.TOO_MANY_REQUESTS.value());
        response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(paused.retryAfterSeconds()));
        response.setContentType(MediaType.TEXT_HTML_VALUE);
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write("""
                <!DOCTYPE html>
                <html lang="en">
                  <head>
                    <meta charset="utf-8">
                    <meta name="viewport" content="width=device-width, initial-scale=1, shrink-to-fit=no">
                    <title>Signing in is paused</title>
                    <link href="%1$s/default-ui.css" rel="stylesheet" />
                  </head>
                  <body>
                    <div class="content">
                      <div class="login-form">
                        <h2>Signing in is paused</h2>
                        <div class="alert alert-danger" role="alert">%2$s</div>
                        <p><a href="%1$s/login">Back to sign in</a></p>
                      </div>
                    </div>
                  </body>
                </html>
                """.formatted(HtmlUtils.htmlEscape(request.getContextPath()),
                HtmlUtils.htmlEscape(paused.getMessage())));
    }
}
