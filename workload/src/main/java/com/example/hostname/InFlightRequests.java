package com.example.hostname;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.catalina.Service;
import org.apache.catalina.connector.Connector;
import org.apache.tomcat.util.threads.ThreadPoolExecutor;
import org.apache.tomcat.util.threads.VirtualThreadExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.context.SmartLifecycle;

/**
 * Closes the second gap in Spring Boot's Tomcat graceful shutdown: it waits until no request is inside Tomcat, not
 * only until none is inside a servlet.
 *
 * <p>{@code org.springframework.boot.tomcat.GracefulShutdown.isActive()} counts a request as active only while a
 * servlet is allocated to it ({@code StandardWrapper.getCountAllocated()}) or it is async. A request whose worker has
 * passed {@code Http11Processor.service()}'s paused check but not yet reached {@code StandardWrapper.allocate()}
 * (parsing headers, {@code CoyoteAdapter}, the Engine/Host/Context valves), or whose servlet has returned but whose
 * response has not been flushed yet ({@code CoyoteAdapter.service()} → {@code response.finishResponse()}), is not
 * counted. "Graceful shutdown complete" can then be logged with such a request in flight, and the next phase
 * ({@code TomcatWebServer.stop()} → {@code Connector.stop()} → {@code NioEndpoint.stopInternal()} →
 * {@code Poller.destroy()}) closes its socket: the client gets nothing although the app took the request.
 * {@code GracefulShutdownTest} holds a request in an Engine valve to show it.
 *
 * <p>This lifecycle stops between the two phases (after the graceful shutdown, before the web server stops) and waits
 * until no connector worker is running a task. That is exact: the connector is paused by then, so a task that starts
 * later sees {@code paused} and answers 503 or closes the connection; a task that passed the paused check before the
 * pause is still running, or has finished. Workers are counted with Tomcat's {@link ThreadPoolExecutor} (platform
 * threads) or {@link CountingVirtualThreadExecutor} (virtual threads; Tomcat's {@link VirtualThreadExecutor} does not
 * count). Bounded by {@code host-name.shutdown.in-flight-timeout} (2 s): such requests need microseconds.
 */
class InFlightRequests implements SmartLifecycle {

    private static final Logger logger = LoggerFactory.getLogger(InFlightRequests.class);

    private final ApplicationContext context;

    private final Duration timeout;

    private volatile boolean running;

    InFlightRequests(ApplicationContext context, Duration timeout) {
        this.context = context;
        this.timeout = timeout;
    }

    @Override
    public void start() {
        this.running = true;
    }

    @Override
    public void stop() {
        this.running = false;
        List<Executor> executors = connectorExecutors();
        long deadline = System.nanoTime() + this.timeout.toNanos();
        int busy;
        while ((busy = busyWorkers(executors)) > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (busy > 0) {
            logger.warn("{} connector worker(s) still busy after {} ms; stopping the web server anyway", busy,
                    this.timeout.toMillis());
        }
    }

    private List<Executor> connectorExecutors() {
        List<Executor> executors = new ArrayList<>();
        if (this.context instanceof WebServerApplicationContext webContext
                && webContext.getWebServer() instanceof TomcatWebServer tomcat) {
            for (Service service : tomcat.getTomcat().getServer().findServices()) {
                for (Connector connector : service.findConnectors()) {
                    Executor executor = connector.getProtocolHandler().getExecutor();
                    if (executor != null) {
                        executors.add(executor);
                    }
                }
            }
        }
        return executors;
    }

    static int busyWorkers(List<Executor> executors) {
        int busy = 0;
        for (Executor executor : executors) {
            if (executor instanceof ThreadPoolExecutor pool) {
                busy += pool.getActiveCount();
            }
            else if (executor instanceof CountingVirtualThreadExecutor counting) {
                busy += counting.running();
            }
        }
        return busy;
    }

    @Override
    public boolean isRunning() {
        return this.running;
    }

    @Override
    public int getPhase() {
        // Between the graceful shutdown and the web server's stop (higher phases stop first).
        return WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE
                - (WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE
                        - WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE) / 2;
    }

    /** Tomcat's executor for virtual threads, counting the tasks that have been submitted and not finished. */
    static final class CountingVirtualThreadExecutor extends VirtualThreadExecutor {

        private final AtomicInteger running = new AtomicInteger();

        CountingVirtualThreadExecutor(String namePrefix) {
            super(namePrefix);
        }

        @Override
        public void execute(Runnable command) {
            this.running.incrementAndGet();
            try {
                super.execute(() -> {
                    try {
                        command.run();
                    }
                    finally {
                        this.running.decrementAndGet();
                    }
                });
            }
            catch (RuntimeException ex) {
                this.running.decrementAndGet();
                throw ex;
            }
        }

        int running() {
            return this.running.get();
        }
    }
}
