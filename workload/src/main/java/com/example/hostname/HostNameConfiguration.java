package com.example.hostname;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class HostNameConfiguration {

    private static final Logger logger = LoggerFactory.getLogger(HostNameConfiguration.class);

    /** The host name is resolved once, at start-up; a request never does a lookup. */
    @Bean
    LocalHostName localHostName() {
        LocalHostName hostName = LocalHostName.resolve();
        logger.info("Serving host name '{}'", hostName.value());
        return hostName;
    }
}
