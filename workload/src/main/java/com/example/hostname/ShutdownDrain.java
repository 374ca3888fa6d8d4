package com.example.hostname;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.SmartLifecycle;

/**
 * An optional drain phase ({@code host-name.shutdown.drain}, default 0: off): after shutdown has begun (readiness is
 * {@code REFUSING_TRAFFIC}, responses carry {@code Connection: close}) the app keeps accepting and serving for this
 * long before Spring Boot's graceful shutdown pauses the connector. Stops just before that phase.
 *
 * <p>It must fit in the ECS task's {@code stopTimeout} ({@code host-name.shutdown.stop-timeout}, 30 s) together with
 * the graceful shutdown phase ({@code spring.lifecycle.timeout-per-shutdown-phase}, 20 s): start-up fails otherwise.
 * Why it is off by default is measured in the workload README (Shutdown).
 */
class ShutdownDrain implements SmartLifecycle {

    private static final Logger logger = LoggerFactory.getLogger(ShutdownDrain.class);

    private final Duration drain;

    private volatile boolean running;

    ShutdownDrain(Duration drain, Duration stopTimeout, Duration shutdownPhase) {
        if (drain.isNegative() || drain.compareTo(stopTimeout.minus(shutdownPhase)) >= 0) {
            throw new IllegalArgumentException("host-name.shutdown.drain=" + drain + " must be at least 0 and less than"
                    + " the stop timeout (" + stopTimeout + ") minus spring.lifecycle.timeout-per-shutdown-phase ("
                    + shutdownPhase + ")");
        }
        this.drain = drain;
    }

    @Override
    public void start() {
        this.running = true;
    }

    @Override
    public void stop() {
        throw new UnsupportedOperationException("Stop must not be invoked directly");
    }

    @Override
    public void stop(Runnable callback) {
        this.running = false;
        if (this.drain.isZero()) {
            callback.run();
            return;
        }
        logger.info("Draining for {} ms before the connector pauses (readiness is down, responses carry "
                + "Connection: close)", this.drain.toMillis());
        Thread drainer = new Thread(() -> {
            try {
                Thread.sleep(this.drain.toMillis());
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            finally {
                callback.run();
            }
        }, "shutdown-drain");
        drainer.start();
    }

    @Override
    public boolean isRunning() {
        return this.running;
    }

    @Override
    public int getPhase() {
        // Stopped before the web server's graceful shutdown (a higher phase stops earlier).
        return WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE + 1;
    }
}
