package com.example.hostname;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

@WebMvcTest(HostNameController.class)
class HostNameControllerTest {

    @Autowired
    private MockMvc mvc;

    @Test
    void returnsTheHostNameAsJson() throws Exception {
        this.mvc.perform(get("/host-name"))
            .andExpect(status().isOk())
            .andExpect(content().contentType(MediaType.APPLICATION_JSON))
            .andExpect(content().string("{\"hostName\":\"test-host.example\"}"));
    }

    @Test
    void returnsJsonWhateverTheAcceptHeaderSays() throws Exception {
        for (String accept : new String[] { "*/*", "application/json", "text/html,application/xhtml+xml;q=0.9",
                "text/plain" }) {
            this.mvc.perform(get("/host-name").header("Accept", accept))
                .andExpect(status().isOk())
                .andExpect(content().contentType(MediaType.APPLICATION_JSON))
                .andExpect(content().string("{\"hostName\":\"test-host.example\"}"));
        }
    }

    @Test
    void onlyGetIsAllowed() throws Exception {
        this.mvc.perform(post("/host-name")).andExpect(status().isMethodNotAllowed());
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class FixedHostName {

        @Bean
        LocalHostName localHostName() {
            return new LocalHostName("test-host.example");
        }
    }
}
