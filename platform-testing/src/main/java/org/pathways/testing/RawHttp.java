package org.pathways.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;

/**
 * HTTP/1.1 over a plain socket, for what a well-behaved client cannot send: a request target that is not a valid
 * URI ({@code ?cursor=%%%}, {@code %2F}, bytes that are not UTF-8), a chunked body of any size, a request from
 * another loopback address (127.0.0.x) as another client's address. One request per connection.
 */
public final class RawHttp {

    private final int port;
    private final InetAddress from;

    public RawHttp(int port) {
        this(port, InetAddress.getLoopbackAddress());
    }

    /** Requests that come from {@code from}, a loopback address such as 127.0.0.7: another client to the server. */
    public RawHttp(int port, InetAddress from) {
        this.port = port;
        this.from = from;
    }

    public Response get(String target, String token) {
        return send("GET", target, token, Map.of(), null);
    }

    /**
     * {@code target} goes into the request line exactly as given. With a {@code chunks} body, the body is sent with
     * {@code Transfer-Encoding: chunked}, {@code chunkCount} chunks of {@code chunk}; the server may answer (and
     * close) before all of it is sent.
     */
    public Response postChunked(String target, String token, String chunk, int chunkCount) {
        return send("POST", target, token, Map.of("Content-Type", "application/json", "Transfer-Encoding", "chunked"),
                new Chunks(chunk.getBytes(StandardCharsets.UTF_8), chunkCount));
    }

    public Response send(String method, String target, String token, Map<String, String> headers, Chunks body) {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            socket.setSoTimeout(20_000);
            StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                    .append("Host: localhost:").append(port).append("\r\n").append("Connection: close\r\n");
            if (token != null) {
                head.append("Authorization: Bearer ").append(token).append("\r\n");
            }
            headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
            head.append("\r\n");
            OutputStream out = socket.getOutputStream();
            try {
                out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
                if (body != null) {
                    body.writeTo(out);
                }
                out.flush();
            } catch (SocketException answeredAndClosed) {
                // the server answered before reading the whole body (a 413): read what it said
            }
            return Response.parse(readAll(socket.getInputStream()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                bytes.write(buffer, 0, n);
            }
        } catch (SocketException reset) {
            // a reset after the answer (the server closed without reading the rest of our body)
        }
        return bytes.toByteArray();
    }

    /** A chunked body: {@code count} times {@code chunk}, then the last (empty) chunk. */
    public record Chunks(byte[] chunk, int count) {

        void writeTo(OutputStream out) throws IOException {
            byte[] size = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < count; i++) {
                out.write(size);
                out.write(chunk);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** The answer: status, headers (names in lower case) and the body, de-chunked. */
    public record Response(int status, Map<String, String> headers, String body) {

        public String contentType() {
            return headers.getOrDefault("content-type", "");
        }

        public JsonNode json() {
            return body.isBlank() ? MissingNode.getInstance() : HttpApi.JSON.readTree(body);
        }

        /** Problem details (application/problem+json) with this status and a {@code urn:pathways:problem:} type. */
        public boolean isProblem(int expectedStatus) {
            return status == expectedStatus && contentType().startsWith("application/problem+json")
                    && json().path("type").asString().startsWith("urn:pathways:problem:")
                    && json().path("status").asInt() == expectedStatus;
        }

        static Response parse(byte[] raw) {
            String text = new String(raw, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (end < 0) {
                throw new IllegalStateException("No HTTP answer: " + text);
            }
            String[] lines = text.substring(0, end).split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.putIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
            String body = text.substring(end + 4);
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                body = dechunk(body);
            }
            return new Response(status, headers,
                    new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
        }

        private static String dechunk(String chunked) {
            StringBuilder body = new StringBuilder();
            int at = 0;
            while (at < chunked.length()) {
                int lineEnd = chunked.indexOf("\r\n", at);
                if (lineEnd < 0) {
                    break;
                }
                int size = Integer.parseInt(chunked.substring(at, lineEnd).split(";")[0].trim(), 16);
                if (size == 0) {
                    break;
                }
                body.append(chunked, lineEnd + 2, Math.min(chunked.length(), lineEnd + 2 + size));
                at = lineEnd + 2 + size + 2;
            }
            return body.toString();
        }
    }
}
