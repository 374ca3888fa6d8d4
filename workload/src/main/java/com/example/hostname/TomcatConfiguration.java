package com.example.hostname;

import java.time.Duration;

import jakarta.servlet.DispatcherType;

import org.apache.catalina.Host;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.tomcat.util.threads.VirtualThreadExecutor;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Tomcat, set up so that no answer is ever HTML and shutdown never drops a request it took (issue 12):
 * <ul>
 * <li>{@link JsonErrorReportValve} replaces the Host's {@code ErrorReportValve}: errors Tomcat produces itself are
 * JSON;</li>
 * <li>{@link ShutdownState.ConnectionCloseValve} and {@link ConnectionCloseFilter}: once shutdown begins every
 * response carries {@code Connection: close};</li>
 * <li>{@link ShutdownDrain}: an optional drain before the connector pauses;</li>
 * <li>{@link InFlightRequests}: after Spring Boot's graceful shutdown, waits for requests that are inside Tomcat but
 * not (or no longer) inside a servlet, which that shutdown does not see.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
class TomcatConfiguration {

    @Bean
    ShutdownState shutdownState() {
        return new ShutdownState();
    }

    @Bean
    FilterRegistrationBean<ConnectionCloseFilter> connectionCloseFilter(ShutdownState shutdownState) {
        FilterRegistrationBean<ConnectionCloseFilter> registration = new FilterRegistrationBean<>(
                new ConnectionCloseFilter(shutdownState));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ERROR);
        return registration;
    }

    @Bean
    TomcatCustomizer hostNameTomcatCustomizer(ShutdownState shutdownState) {
        return new TomcatCustomizer(shutdownState);
    }

    @Bean
    ShutdownDrain shutdownDrain(@Value("${host-name.shutdown.drain:0s}") Duration drain,
            @Value("${host-name.shutdown.stop-timeout:30s}") Duration stopTimeout,
            @Value("${spring.lifecycle.timeout-per-shutdown-phase:30s}") Duration shutdownPhase) {
        return new ShutdownDrain(drain, stopTimeout, shutdownPhase);
    }

    @Bean
    InFlightRequests inFlightRequests(ApplicationContext context,
            @Value("${host-name.shutdown.in-flight-timeout:2s}") Duration timeout) {
        return new InFlightRequests(context, timeout);
    }

    /**
     * Runs after Spring Boot's own customizers (lowest precedence), so it sees and replaces what they set up: the
     * {@code ErrorReportValve} that {@code TomcatWebServerFactoryCustomizer} adds to the Host, and the
     * {@code VirtualThreadExecutor} that {@code TomcatVirtualThreadsWebServerFactoryCustomizer} sets when
     * {@code spring.threads.virtual.enabled=true}.
     */
    static final class TomcatCustomizer implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

        private final ShutdownState shutdownState;

        TomcatCustomizer(ShutdownState shutdownState) {
            this.shutdownState = shutdownState;
        }

        @Override
        public void customize(TomcatServletWebServerFactory factory) {
            factory.addEngineValves(new ShutdownState.ConnectionCloseValve(this.shutdownState));
            factory.addContextCustomizers((context) -> useJsonErrorReport((Host) context.getParent()));
            factory.addProtocolHandlerCustomizers((handler) -> {
                if (handler.getExecutor() instanceof VirtualThreadExecutor
                        && !(handler.getExecutor() instanceof InFlightRequests.CountingVirtualThreadExecutor)) {
                    handler.setExecutor(new InFlightRequests.CountingVirtualThreadExecutor("tomcat-handler-"));
                }
            });
        }

        static void useJsonErrorReport(Host host) {
            // StandardHost.startInternal() adds a valve of this class unless one is there; it is, so it adds none.
            if (host instanceof StandardHost standardHost) {
                standardHost.setErrorReportValveClass(JsonErrorReportValve.class.getName());
            }
            for (Valve valve : host.getPipeline().getValves()) {
                if (valve instanceof ErrorReportValve && !(valve instanceof JsonErrorReportValve)) {
                    host.getPipeline().removeValve(valve);
                }
            }
            host.getPipeline().addValve(new JsonErrorReportValve());
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}
