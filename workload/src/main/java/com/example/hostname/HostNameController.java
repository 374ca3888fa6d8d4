package com.example.hostname;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /host-name} → {@code {"hostName":"<host name>"}}, the contract of the app this one replaces.
 */
@RestController
class HostNameController {

    private final HostNameResponse response;

    HostNameController(LocalHostName hostName) {
        this.response = new HostNameResponse(hostName.value());
    }

    /**
     * The content type is set explicitly, so every client gets JSON whatever its {@code Accept} header says (no 406),
     * as it did from the app this one replaces.
     */
    @GetMapping("/host-name")
    ResponseEntity<HostNameResponse> hostName() {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(this.response);
    }

    /** The response body; serialized as exactly {@code {"hostName":"…"}}. */
    public record HostNameResponse(String hostName) {
    }
}
