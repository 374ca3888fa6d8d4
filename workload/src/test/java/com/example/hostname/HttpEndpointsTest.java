package com.example.hostname;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/** Boots the whole app on a random port and talks to it over real HTTP. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class HttpEndpointsTest {

    private static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @LocalServerPort
    private int port;

    @Test
    void hostNameIsThisMachinesHostNameAsJson() throws Exception {
        HttpResponse<String> response = get("/host-name", "application/json");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.body())
            .isEqualTo("{\"hostName\":\"" + InetAddress.getLocalHost().getHostName() + "\"}");
    }

    @Test
    void livenessIsUp() throws Exception {
        HttpResponse<String> response = get("/actuator/health/liveness", "*/*");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"status\":\"UP\"}");
    }

    @Test
    void readinessIsUp() throws Exception {
        HttpResponse<String> response = get("/actuator/health/readiness", "*/*");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"status\":\"UP\"}");
    }

    @ParameterizedTest
    @ValueSource(strings = { "/no-such-path", "/", "/index.html", "/favicon.ico", "/error", "/actuator",
            "/actuator/env", "/actuator/info", "/actuator/beans", "/actuator/metrics", "/actuator/health/db",
            "/actuator/health/ping", "/actuator/health/liveness/x", "/actuator/health/readiness/", "/host-name/x" })
    void anythingElseIsAJson404EvenForABrowser(String path) throws Exception {
        HttpResponse<String> response = get(path, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.body()).startsWith("{")
            .contains("\"status\":404", "\"error\":\"Not Found\"")
            .doesNotContain("<html", "Whitelabel", "trace", "exception");
    }

    @Test
    void wrongMethodIsAJson405() throws Exception {
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(uri("/host-name")).DELETE().header("Accept", "text/html").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.body()).contains("\"status\":405");
    }

    private HttpResponse<String> get(String path, String accept) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri(path)).header("Accept", accept).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + this.port + path);
    }
}
