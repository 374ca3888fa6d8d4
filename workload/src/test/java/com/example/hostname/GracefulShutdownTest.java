package com.example.hostname;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Readiness and graceful shutdown, each against its own instance of the app on a random port. The shutdown test adds
 * a test-only slow endpoint (a functional route registered by an initializer, so no other test sees it) that blocks
 * on a latch, which makes "a request is in flight while the app shuts down" deterministic: no sleeps.
 */
@ExtendWith(OutputCaptureExtension.class)
class GracefulShutdownTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final CountDownLatch slowRequestEntered = new CountDownLatch(1);

    private final CountDownLatch releaseSlowRequest = new CountDownLatch(1);

    private final CountDownLatch refusingTraffic = new CountDownLatch(1);

    private ConfigurableApplicationContext context;

    private int port;

    @AfterEach
    void closeContext() {
        this.releaseSlowRequest.countDown();
        if (this.context != null) {
            this.context.close();
        }
    }

    @Test
    void readinessReportsOutOfServiceWhileRefusingTraffic() throws Exception {
        start();
        assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200);

        AvailabilityChangeEvent.publish(this.context, ReadinessState.REFUSING_TRAFFIC);
        HttpResponse<String> readiness = get("/actuator/health/readiness");
        assertThat(readiness.statusCode()).isEqualTo(503);
        assertThat(readiness.body()).isEqualTo("{\"status\":\"OUT_OF_SERVICE\"}");
        // Not ready is not dead: liveness stays UP, so the orchestrator does not restart the task.
        assertThat(get("/actuator/health/liveness").body()).isEqualTo("{\"status\":\"UP\"}");

        AvailabilityChangeEvent.publish(this.context, ReadinessState.ACCEPTING_TRAFFIC);
        assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200);
    }

    @Test
    void shutdownRefusesNewWorkAndLetsTheInFlightRequestComplete(CapturedOutput output) throws Exception {
        start();
        ApplicationAvailability availability = this.context.getBean(ApplicationAvailability.class);
        assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);

        CompletableFuture<HttpResponse<String>> inFlight = this.client.sendAsync(
                HttpRequest.newBuilder(uri("/test/slow")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(this.slowRequestEntered.await(WAIT.toSeconds(), TimeUnit.SECONDS))
            .as("slow request reached the handler").isTrue();

        // What SIGTERM does through the JVM shutdown hook: close the context. It blocks while the request is in flight.
        long closeStarted = System.nanoTime();
        Thread closer = new Thread(this.context::close, "closer");
        closer.start();

        assertThat(this.refusingTraffic.await(WAIT.toSeconds(), TimeUnit.SECONDS))
            .as("readiness changed to REFUSING_TRAFFIC").isTrue();
        awaitConnectionsRefused();
        // The close sequence published REFUSING_TRAFFIC before it stopped the web server.
        assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);

        // Shutdown is waiting for the in-flight request, not finished without it.
        assertThat(inFlight).isNotDone();
        assertThat(closer.isAlive()).isTrue();
        assertThat(this.context.isActive()).isTrue();

        this.releaseSlowRequest.countDown();
        HttpResponse<String> response = inFlight.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("slow request done");

        closer.join(WAIT.toMillis());
        assertThat(closer.isAlive()).as("context closed").isFalse();
        assertThat(this.context.isActive()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - closeStarted)).isLessThan(Duration.ofSeconds(20));
        assertThat(output.getOut()).contains("Commencing graceful shutdown. Waiting for active requests to complete")
            .contains("Graceful shutdown complete");
        // Structured logs: every line Spring Boot wrote to stdout is one JSON object.
        assertThat(output.getOut().lines().filter((line) -> line.contains("\"ecs\":{\"version\"")))
            .isNotEmpty()
            .allSatisfy((line) -> assertThat(line).startsWith("{").endsWith("}"));
    }

    private void start() {
        RouterFunction<ServerResponse> slowRoute = RouterFunctions.route().GET("/test/slow", (request) -> {
            this.slowRequestEntered.countDown();
            if (!this.releaseSlowRequest.await(WAIT.toSeconds() * 3, TimeUnit.SECONDS)) {
                throw new IllegalStateException("slow request was never released");
            }
            return ServerResponse.ok().body("slow request done");
        }).build();
        ApplicationListener<AvailabilityChangeEvent<?>> readinessListener = (event) -> {
            if (event.getState() == ReadinessState.REFUSING_TRAFFIC) {
                this.refusingTraffic.countDown();
            }
        };
        this.context = new SpringApplicationBuilder(HostNameApplication.class)
            .main(HostNameApplication.class)
            .initializers((context) -> ((GenericApplicationContext) context).registerBean("slowRoute",
                    RouterFunction.class, () -> slowRoute))
            .listeners(readinessListener)
            .run("--server.port=0");
        this.port = ((WebServerApplicationContext) this.context).getWebServer().getPort();
        assertThat(this.context.getBean(ApplicationAvailability.class).getLivenessState())
            .isEqualTo(LivenessState.CORRECT);
    }

    /** Polls (bounded) until the listening socket is closed: new connections are refused. */
    private void awaitConnectionsRefused() throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", this.port), 1000);
            }
            catch (ConnectException ex) {
                return;
            }
            catch (IOException ex) {
                // e.g. a timeout: try again
            }
            Thread.sleep(10);
        }
        fail("new connections were still accepted %s after shutdown began", WAIT);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return this.client.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + this.port + path);
    }
}
