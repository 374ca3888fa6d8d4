package com.example.hostname;

import java.io.IOException;

import jakarta.servlet.ServletException;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;

import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;

/**
 * Whether shutdown has begun: set by the {@link ContextClosedEvent}, which the context publishes as the first step of
 * closing (after readiness turned {@code REFUSING_TRAFFIC}, before any lifecycle stops), so before the drain and
 * before Tomcat's connector pauses.
 */
class ShutdownState implements ApplicationListener<ContextClosedEvent> {

    private volatile boolean shuttingDown;

    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        this.shuttingDown = true;
    }

    boolean isShuttingDown() {
        return this.shuttingDown;
    }

    /**
     * First valve of the Engine: once shutdown has begun, every response carries {@code Connection: close}, and
     * Tomcat's HTTP/1.1 processor closes the connection after it ({@code Http11Processor.prepareResponse()}: a
     * {@code close} token turns keep-alive off). So neither a client nor the load balancer sends another request on
     * a connection that is about to be closed. Errors Tomcat answers itself pass through the Engine too.
     */
    static final class ConnectionCloseValve extends ValveBase {

        private final ShutdownState state;

        ConnectionCloseValve(ShutdownState state) {
            super(true);
            this.state = state;
        }

        @Override
        public void invoke(Request request, Response response) throws IOException, ServletException {
            if (this.state.isShuttingDown()) {
                response.setHeader("Connection", "close");
            }
            getNext().invoke(request, response);
            // Shutdown may have begun while the request was being served.
            if (this.state.isShuttingDown() && !response.isCommitted()) {
                response.setHeader("Connection", "close");
            }
        }
    }
}
