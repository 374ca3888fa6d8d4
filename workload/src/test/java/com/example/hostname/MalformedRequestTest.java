package com.example.hostname;

import java.util.stream.Stream;

import org.apache.catalina.Valve;
import org.apache.catalina.valves.ErrorReportValve;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests Tomcat rejects before (or instead of) the app: each answer is JSON in the app's error shape, never Tomcat's
 * HTML page, and says {@code Connection: close} when Tomcat closes the connection after it. Sent as raw bytes.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class MalformedRequestTest {

    private static final String BIG = "a".repeat(9000); // above server.max-http-request-header-size (8 KB)

    @LocalServerPort
    private int port;

    @Autowired
    private WebServerApplicationContext context;

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("malformed request line", "GE<T / HTTP/1.1\r\nHost: x\r\n\r\n", 400, ""),
                Arguments.of("bad percent-encoding", "GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400, "/a%zz"),
                Arguments.of("control character in the URI", "GET /x\u0001 HTTP/1.1\r\nHost: x\r\n\r\n", 400, ""),
                Arguments.of("encoded dot segments", "GET /%2e%2e/x HTTP/1.1\r\nHost: x\r\n\r\n", 400, "/%2e%2e/x"),
                Arguments.of("unsupported HTTP version", "GET /host-name HTTP/2.5\r\nHost: x\r\n\r\n", 505,
                        "/host-name"),
                Arguments.of("oversized header", "GET /host-name HTTP/1.1\r\nHost: x\r\nX-Big: " + BIG + "\r\n\r\n",
                        400, "/host-name"),
                Arguments.of("oversized request line", "GET /" + BIG + " HTTP/1.1\r\nHost: x\r\n\r\n", 400, ""),
                Arguments.of("HTTP/1.1 without Host", "GET /host-name HTTP/1.1\r\n\r\n", 400, "/host-name"),
                Arguments.of("two Host headers", "GET /host-name HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400,
                        "/host-name"),
                Arguments.of("header line without a colon", "GET /host-name HTTP/1.1\r\nHost: x\r\nBad header\r\n\r\n",
                        400, "/host-name"),
                Arguments.of("non-numeric Content-Length",
                        "GET /host-name HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400, "/host-name"),
                Arguments.of("two Content-Lengths",
                        "GET /host-name HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400,
                        "/host-name"),
                Arguments.of("unsupported Transfer-Encoding",
                        "GET /host-name HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "/host-name"),
                Arguments.of("unknown expectation", "GET /host-name HTTP/1.1\r\nHost: x\r\nExpect: 101-nothing\r\n\r\n",
                        417, "/host-name"),
                Arguments.of("CONNECT", "CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\n", 501, "x:443"),
                Arguments.of("asterisk form for GET", "GET * HTTP/1.1\r\nHost: x\r\n\r\n", 400, "*"));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("malformed")
    void isAJsonErrorThatClosesTheConnection(String what, String request, int status, String path) throws Exception {
        RawHttp response = RawHttp.exchange(this.port, request);
        assertThat(response.status()).as(response.raw()).isEqualTo(status);
        assertThat(response.header("Content-Type")).isEqualTo("application/json");
        assertThat(response.header("Connection")).isEqualTo("close");
        assertThat(response.body()).matches("\\{\"timestamp\":\"[^\"]+\",\"status\":" + status
                + ",\"error\":\"[A-Za-z ]+\",\"path\":\"" + java.util.regex.Pattern.quote(path) + "\"\\}");
        assertThat(response.header("Content-Length")).isEqualTo(String.valueOf(response.body().length()));
        assertThat(response.raw()).doesNotContainIgnoringCase("<html").doesNotContain("Apache Tomcat");
    }

    @Test
    void traceIsAJson405() throws Exception {
        RawHttp response = RawHttp.exchange(this.port, "TRACE /host-name HTTP/1.0\r\n\r\n");
        assertThat(response.status()).isEqualTo(405);
        assertThat(response.header("Content-Type")).isEqualTo("application/json");
        assertThat(response.body()).contains("\"status\":405");
    }

    @Test
    void theHostHasOneErrorReportValveAndItWritesJson() {
        Valve[] valves = ((TomcatWebServer) this.context.getWebServer()).getTomcat().getHost().getPipeline().getValves();
        assertThat(Stream.of(valves).filter(ErrorReportValve.class::isInstance))
            .singleElement()
            .isInstanceOf(JsonErrorReportValve.class);
    }

    @Test
    void jsonBodyEscapesThePath() {
        assertThat(JsonErrorReportValve.body(400, "/a\"b\\c\u00e9\n"))
            .endsWith(",\"status\":400,\"error\":\"Bad Request\",\"path\":\"/a\\\"b\\\\c\\u00e9\\u000a\"}");
        assertThat(JsonErrorReportValve.body(599, null)).endsWith(",\"status\":599,\"error\":\"Error\",\"path\":\"\"}");
    }
}
