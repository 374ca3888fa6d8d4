package com.example.hostname;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Serves {@code GET /host-name} with the host name of the machine (in ECS bridge mode: the container) it runs on.
 */
@SpringBootApplication
public class HostNameApplication {

    public static void main(String[] args) {
        SpringApplication.run(HostNameApplication.class, args);
    }
}
