package com.example.hostname;

import java.net.InetAddress;
import java.util.Map;

/**
 * The host name this process serves, resolved once at start-up.
 *
 * @param value the non-blank host name
 */
public record LocalHostName(String value) {

    public LocalHostName {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("host name must not be blank");
        }
    }

    /** Resolves the host name of this machine, see {@link #resolve(Lookup, Map)}. */
    public static LocalHostName resolve() {
        return resolve(() -> InetAddress.getLocalHost().getHostName(), System.getenv());
    }

    /**
     * Resolves the host name: the {@code lookup} ({@code InetAddress.getLocalHost().getHostName()}) first, falling
     * back to the {@code HOSTNAME} environment variable when the lookup fails or returns nothing.
     *
     * @throws IllegalStateException when neither gives a host name: the app cannot do its one job, so fail fast
     */
    static LocalHostName resolve(Lookup lookup, Map<String, String> environment) {
        Exception lookupFailure = null;
        try {
            String name = lookup.hostName();
            if (name != null && !name.isBlank()) {
                return new LocalHostName(name.strip());
            }
        }
        catch (Exception ex) {
            lookupFailure = ex;
        }
        String fromEnvironment = environment.get("HOSTNAME");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return new LocalHostName(fromEnvironment.strip());
        }
        throw new IllegalStateException(
                "Cannot determine the host name: InetAddress lookup failed and HOSTNAME is not set", lookupFailure);
    }

    /** Looks up the local host name; may throw, e.g. {@link java.net.UnknownHostException}. */
    @FunctionalInterface
    interface Lookup {

        String hostName() throws Exception;
    }
}
