package org.pathways.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.pathways.platform.security.DevTokenIssuer;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Hostile requests against the HTTP edge every service shares, sent over a plain socket because no well-behaved
 * client can send them: each is a 4xx problem (application/problem+json), never a 500 and never Tomcat's HTML page,
 * and a body over the limit is refused whether its length is declared or it is streamed in chunks.
 */
@SpringBootTest(classes = PlatformEdgeTest.EdgeApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "pathways.security.jwt-secret=" + PlatformEdgeTest.SECRET, "pathways.security.jwt-issuer=edge-test",
        "pathways.http.max-request-body=4KB"})
class HostileRequestEdgeTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    private final String token = new DevTokenIssuer(PlatformEdgeTest.SECRET, "edge-test")
            .issue("worker-1", "agency-a", Set.of("WORKER"), Duration.ofMinutes(5));

    @Test
    void malformedQueriesAndPathsAre400ProblemsWithOrWithoutAToken() {
        List<String> targets = List.of("/things/abc?tag=%%%", "/things/abc?tag=%00", "/things/abc?tag=%c3%28",
                "/things/abc?%=1", "/things/abc?tag=%4", "/things/a%2Fb", "/things/a%00b", "/things/%zz",
                "/things/abc%", "/things/%c3%28", "/things/ab%5Cc", "/things/%25", "/things/a;b",
                "/things/a/../../b", "/things/a b");
        for (String target : targets) {
            for (String bearer : new String[] {token, null}) {
                Answer answer = send("GET " + target + " HTTP/1.1", bearer, null);
                assertThat(answer.status()).as("%s (token: %s) %s", target, bearer != null, answer.body())
                        .isEqualTo(400);
                assertThat(answer.contentType()).as(target).startsWith("application/problem+json");
                JsonNode problem = JSON.readTree(answer.body());
                assertThat(problem.path("status").asInt()).as(target).isEqualTo(400);
                assertThat(problem.path("type").asString()).as(target).startsWith("urn:pathways:problem:");
            }
        }
        // The control: the same endpoint with a well-formed query answers.
        assertThat(send("GET /things/abc?tag=ok HTTP/1.1", token, null).status()).isEqualTo(200);
    }

    @Test
    void aChunkedBodyOverTheLimitIs413AndOneWithinItIsServed() {
        String big = "{\"name\":\"" + "x".repeat(8_000) + "\",\"count\":1}";
        Answer tooLarge = send("POST /things HTTP/1.1", token, big);
        assertThat(tooLarge.status()).as(tooLarge.body()).isEqualTo(413);
        assertThat(tooLarge.contentType()).startsWith("application/problem+json");
        assertThat(JSON.readTree(tooLarge.body()).path("type").asString())
                .isEqualTo("urn:pathways:problem:payload-too-large");

        Answer small = send("POST /things HTTP/1.1", token, "{\"name\":\"ok\",\"count\":1}");
        assertThat(small.status()).as(small.body()).isEqualTo(200);
        assertThat(small.body()).isEqualTo("agency-a:ok");
    }

    @Test
    void formsOtherThanAPostAndMultipartBodiesAreBoundedAndWhatCannotBeReadIsA400() {
        // Spring's form filter reads a form PUT, PATCHed or DELETEd whole, before Spring Security: unbounded, it let
        // anyone without a token fill the heap with one streamed body.
        String bigForm = "a=" + "x".repeat(8_000);
        for (String method : List.of("PUT", "PATCH", "DELETE")) {
            Answer tooLarge = send(method + " /things/abc HTTP/1.1", null, "application/x-www-form-urlencoded",
                    bigForm);
            assertThat(tooLarge.status()).as("%s %s", method, tooLarge.body()).isEqualTo(413);
            assertThat(tooLarge.contentType()).startsWith("application/problem+json");
        }
        // A POSTed form Tomcat would not parse (it compares the type exactly) is not left to it either.
        for (String type : List.of("APPLICATION/X-WWW-FORM-URLENCODED", "application/x-www-form-urlencodedX")) {
            Answer notTomcats = send("POST /things HTTP/1.1", null, type, bigForm);
            assertThat(notTomcats.status()).as("%s %s", type, notTomcats.body()).isEqualTo(413);
        }
        Answer bigMultipart = send("POST /things HTTP/1.1", token, "multipart/form-data; boundary=b",
                "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n" + "x".repeat(8_000) + "\r\n--b--\r\n");
        assertThat(bigMultipart.status()).as(bigMultipart.body()).isEqualTo(413);

        // What the form filter or the multipart parser cannot read was a 500 (which the gateway's circuit breaker
        // counts against the route for every caller).
        Answer brokenForm = send("PUT /things/abc HTTP/1.1", null, "application/x-www-form-urlencoded", "a=%zz");
        assertThat(brokenForm.status()).as(brokenForm.body()).isEqualTo(400);
        assertThat(brokenForm.contentType()).startsWith("application/problem+json");
        Answer brokenMultipart = send("POST /things HTTP/1.1", token, "multipart/form-data", "x");
        assertThat(brokenMultipart.status()).as(brokenMultipart.body()).isEqualTo(400);
        assertThat(brokenMultipart.contentType()).startsWith("application/problem+json");
    }

    record Answer(int status, String contentType, String body) {
    }

    /** One request over a plain socket; a {@code chunkedBody} is sent as JSON in 1 KB chunks. */
    private Answer send(String requestLine, String bearer, String chunkedBody) {
        return send(requestLine, bearer, "application/json", chunkedBody);
    }

    /** One request over a plain socket; a {@code chunkedBody} of {@code bodyType} is sent in 1 KB chunks. */
    private Answer send(String requestLine, String bearer, String bodyType, String chunkedBody) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            StringBuilder head = new StringBuilder(requestLine).append("\r\nHost: localhost\r\nConnection: close\r\n");
            if (bearer != null) {
                head.append("Authorization: Bearer ").append(bearer).append("\r\n");
            }
            if (chunkedBody != null) {
                head.append("Content-Type: ").append(bodyType).append("\r\nTransfer-Encoding: chunked\r\n");
            }
            OutputStream out = socket.getOutputStream();
            try {
                out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
                if (chunkedBody != null) {
                    byte[] body = chunkedBody.getBytes(StandardCharsets.UTF_8);
                    for (int at = 0; at < body.length; at += 1024) {
                        int size = Math.min(1024, body.length - at);
                        out.write((Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.write(body, at, size);
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.flush();
            } catch (SocketException answeredEarly) {
                // the server answered (413) before reading all of the body
            }
            String text = new String(readAll(socket.getInputStream()), StandardCharsets.UTF_8);
            String head2 = text.substring(0, text.indexOf("\r\n\r\n"));
            String body = text.substring(text.indexOf("\r\n\r\n") + 4);
            String contentType = head2.lines().filter(l -> l.toLowerCase().startsWith("content-type:"))
                    .map(l -> l.substring(13).trim()).findFirst().orElse("");
            if (head2.toLowerCase().contains("transfer-encoding: chunked")) {
                StringBuilder plain = new StringBuilder();
                for (int at = 0; ; ) {
                    int lineEnd = body.indexOf("\r\n", at);
                    int size = Integer.parseInt(body.substring(at, lineEnd).trim(), 16);
                    if (size == 0) {
                        break;
                    }
                    plain.append(body, lineEnd + 2, lineEnd + 2 + size);
                    at = lineEnd + 2 + size + 2;
                }
                body = plain.toString();
            }
            return new Answer(Integer.parseInt(head2.split(" ")[1]), contentType, body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            in.transferTo(bytes);
        } catch (SocketException reset) {
            // closed after answering
        }
        return bytes.toByteArray();
    }
}
