package com.example.hostname;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The servlet half of "once shutdown begins, responses carry {@code Connection: close}": a request that was already
 * being served when shutdown began commits its response from inside the servlet (Spring's message converters write
 * and flush), too late for {@link ShutdownState.ConnectionCloseValve}. This wrapper adds the header just before the
 * first byte is written or flushed, if shutdown has begun by then.
 */
class ConnectionCloseFilter extends OncePerRequestFilter {

    private final ShutdownState state;

    ConnectionCloseFilter(ShutdownState state) {
        this.state = state;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        chain.doFilter(request, new Wrapper(response, this.state));
    }

    @Override
    protected boolean shouldNotFilterErrorDispatch() {
        return false;
    }

    private static final class Wrapper extends HttpServletResponseWrapper {

        private final ShutdownState state;

        private ServletOutputStream stream;

        private PrintWriter writer;

        Wrapper(HttpServletResponse response, ShutdownState state) {
            super(response);
            this.state = state;
        }

        void beforeCommit() {
            if (this.state.isShuttingDown() && !isCommitted()) {
                setHeader("Connection", "close");
            }
        }

        @Override
        public void flushBuffer() throws IOException {
            beforeCommit();
            super.flushBuffer();
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            if (this.stream == null) {
                this.stream = new Stream(super.getOutputStream());
            }
            return this.stream;
        }

        @Override
        public PrintWriter getWriter() throws IOException {
            if (this.writer == null) {
                this.writer = new PrintWriter(new OutputStreamWriter(getOutputStream(), getCharacterEncoding()));
            }
            return this.writer;
        }

        private final class Stream extends ServletOutputStream {

            private final ServletOutputStream delegate;

            Stream(ServletOutputStream delegate) {
                this.delegate = delegate;
            }

            @Override
            public void write(int b) throws IOException {
                beforeCommit();
                this.delegate.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                beforeCommit();
                this.delegate.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                beforeCommit();
                this.delegate.flush();
            }

            @Override
            public void close() throws IOException {
                beforeCommit();
                this.delegate.close();
            }

            @Override
            public boolean isReady() {
                return this.delegate.isReady();
            }

            @Override
            public void setWriteListener(WriteListener listener) {
                this.delegate.setWriteListener(listener);
            }
        }
    }
}
