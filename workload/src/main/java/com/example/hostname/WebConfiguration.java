package com.example.hostname;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class WebConfiguration {

    @Bean
    FilterRegistrationBean<HealthPathFilter> healthPathFilter() {
        FilterRegistrationBean<HealthPathFilter> registration = new FilterRegistrationBean<>(new HealthPathFilter());
        registration.addUrlPatterns(HealthPathFilter.HEALTH_PATH + "/*");
        return registration;
    }
}
