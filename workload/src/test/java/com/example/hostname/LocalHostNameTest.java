package com.example.hostname;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class LocalHostNameTest {

    @Test
    void usesTheLookupFirst() {
        assertThat(LocalHostName.resolve(() -> "from-lookup", Map.of("HOSTNAME", "from-env")).value())
            .isEqualTo("from-lookup");
    }

    @Test
    void fallsBackToTheHostnameVariableWhenTheLookupFails() {
        LocalHostName.Lookup failing = () -> {
            throw new UnknownHostException("no such host");
        };
        assertThat(LocalHostName.resolve(failing, Map.of("HOSTNAME", "from-env")).value()).isEqualTo("from-env");
    }

    @Test
    void fallsBackToTheHostnameVariableWhenTheLookupGivesNothing() {
        assertThat(LocalHostName.resolve(() -> " ", Map.of("HOSTNAME", "from-env")).value()).isEqualTo("from-env");
    }

    @Test
    void failsFastWhenThereIsNoHostName() {
        assertThatIllegalStateException().isThrownBy(() -> LocalHostName.resolve(() -> null, Map.of()));
    }

    @Test
    void resolvesThisMachinesHostName() throws Exception {
        assertThat(LocalHostName.resolve().value()).isEqualTo(InetAddress.getLocalHost().getHostName());
    }
}
