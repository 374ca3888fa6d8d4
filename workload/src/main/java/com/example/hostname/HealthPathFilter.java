package com.example.hostname;

import java.io.IOException;
import java.util.Set;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Only the health endpoint and its liveness and readiness groups are reachable under {@code /actuator/health}.
 * Without this, a request for a health component such as {@code /actuator/health/ping} gets an empty 404 straight
 * from the actuator (bypassing the JSON error page); here it is sent to the error page and gets the usual JSON 404.
 * Registered for {@code /actuator/health/*} by {@link WebConfiguration}.
 */
class HealthPathFilter extends OncePerRequestFilter {

    static final String HEALTH_PATH = "/actuator/health";

    private static final Set<String> ALLOWED = Set.of(HEALTH_PATH, HEALTH_PATH + "/liveness",
            HEALTH_PATH + "/readiness");

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        if (ALLOWED.contains(path)) {
            chain.doFilter(request, response);
        }
        else {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
        }
    }
}
