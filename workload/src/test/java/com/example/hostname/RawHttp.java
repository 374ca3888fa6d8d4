package com.example.hostname;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A raw HTTP/1.x exchange over a socket: what a client gets, byte for byte, for requests no HTTP client would send. */
record RawHttp(String raw, int status, Map<String, String> headers, String body) {

    /** Sends the bytes, reads until the server closes the connection (or 5 s pass), and parses the answer. */
    static RawHttp exchange(int port, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return read(socket.getInputStream());
        }
    }

    static RawHttp read(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) != -1;) {
                bytes.write(buffer, 0, n);
            }
        }
        catch (SocketTimeoutException ex) {
            // a kept-alive connection: take what came
        }
        return parse(bytes.toString(StandardCharsets.ISO_8859_1));
    }

    static RawHttp parse(String raw) {
        int end = raw.indexOf("\r\n\r\n");
        if (!raw.startsWith("HTTP/") || end < 0) {
            return new RawHttp(raw, -1, Map.of(), raw);
        }
        String[] lines = raw.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
        }
        return new RawHttp(raw, status, headers, raw.substring(end + 4));
    }

    String header(String name) {
        return this.headers.get(name.toLowerCase(Locale.ROOT));
    }
}
