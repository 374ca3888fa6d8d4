package com.example.hostname;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.AbstractProtocol;
import org.apache.coyote.ActionCode;

import org.springframework.http.HttpStatus;

/**
 * Tomcat's error report, as JSON in the shape {@link JsonErrorController} uses:
 * {@code {"timestamp":"…","status":503,"error":"Service Unavailable","path":"/host-name"}}.
 *
 * <p>Why the app's own error page is not enough: errors that Tomcat's HTTP/1.1 processor detects itself never reach a
 * Spring error page. {@code Http11Processor.service()} sets the status (400 for a malformed request line, bad header or
 * oversized header, 505 for an unsupported HTTP version, 503 when the connector is paused) and the error state
 * {@code CLOSE_CLEAN}, which still allows I/O, so it calls {@code CoyoteAdapter.service()}. There
 * {@code postParseRequest()} sees {@code response.isError()} and recycles the decoded URI; the {@code Mapper} then maps
 * the Host only ({@code uri.isNull()}), so the request has no Context, {@code StandardHostValve.invoke()} returns at
 * {@code context == null} without looking up the app's {@code /error} page, and the Host's {@code ErrorReportValve}
 * writes its HTML page. A bad percent-encoding is found one step later ({@code CoyoteAdapter.postParseRequest()} →
 * {@code sendError(400)}), with the same result.
 *
 * <p>That is also the HTML 503 that failed CI during {@code docker stop} (issue 12): Spring Boot's
 * {@code GracefulShutdown.doShutdown()} → {@code close(connector)} → {@code Connector.pause()} →
 * {@code AbstractEndpoint.pause()} set {@code paused} while a worker thread was already inside
 * {@code Http11Processor.service()}'s loop (whose condition checks {@code !protocol.isPaused()} before parsing); after
 * {@code parseRequestLine()} it checked {@code protocol.isPaused()} again and answered {@code 503} with
 * {@code Connection: close} through the path above: a legitimate "not taken, try elsewhere" answer, but as a 451-byte
 * HTML page. Virtual threads widen the window between the two checks, which is why they made it more frequent.
 *
 * <p>This valve replaces the Host's {@code ErrorReportValve} (see {@link TomcatConfiguration}), so whatever Tomcat
 * itself answers is JSON. It writes only when nothing has been written yet and the error has not been reported by an
 * error page (the same guards as its superclass). When Tomcat will close the connection after this response (its
 * error state is set), it says so with {@code Connection: close}: for some errors (e.g. 505) Tomcat closes without
 * the header.
 */
class JsonErrorReportValve extends ErrorReportValve {

    JsonErrorReportValve() {
        setShowReport(false);
        setShowServerInfo(false);
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int statusCode = response.getStatus();
        if (statusCode < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(false);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        if (request.getContext() == null && request.getConnector().getProtocolHandler() instanceof AbstractProtocol<?> protocol
                && protocol.isPaused()) {
            // Caught by the pause (see above): not served, so 503 whatever Tomcat made of it. For HTTP/1.1 Tomcat makes
            // a 400 of it: after the paused check it skips parseHeaders(), so prepareRequest() finds no Host header.
            statusCode = 503;
            response.setStatus(statusCode);
        }
        AtomicBoolean closing = new AtomicBoolean(false);
        response.getCoyoteResponse().action(ActionCode.IS_ERROR, closing);
        String body = body(statusCode, request.getRequestURI());
        try {
            response.resetBuffer();
            response.setContentType("application/json");
            if (closing.get()) {
                response.setHeader("Connection", "close");
            }
            byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
            response.setContentLength(bytes.length);
            OutputStream out;
            try {
                out = response.getOutputStream();
            }
            catch (IllegalStateException ex) {
                out = null; // getWriter() was used: write through the reporter instead
            }
            if (out != null) {
                out.write(bytes);
            }
            else {
                Writer writer = response.getReporter();
                if (writer != null) {
                    writer.write(body);
                }
            }
            response.finishResponse();
        }
        catch (IOException | IllegalStateException ex) {
            // The client went away or the response cannot be written: nothing more to do.
        }
    }

    /** The JSON body, ASCII only (anything else in the path is escaped), so no charset is needed. */
    static String body(int statusCode, String path) {
        HttpStatus status = HttpStatus.resolve(statusCode);
        String error = (status != null) ? status.getReasonPhrase() : "Error";
        return "{\"timestamp\":\"" + Instant.now() + "\",\"status\":" + statusCode + ",\"error\":" + json(error)
                + ",\"path\":" + json((path != null) ? path : "") + "}";
    }

    private static String json(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            }
            else if (c < 0x20 || c > 0x7e) {
                out.append(String.format("\\u%04x", (int) c));
            }
            else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
