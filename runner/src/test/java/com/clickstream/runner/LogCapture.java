package com.clickstream.runner;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

import java.util.ArrayList;
import java.util.List;

/**
 * Captures what one logger logs at INFO and above, as "LEVEL message" lines, while open. The logger
 * gets its own configuration (not additive), so the captured lines do not reach the test console.
 */
final class LogCapture extends AbstractAppender implements AutoCloseable {
    private final String logger;
    private final List<String> lines = new ArrayList<>();

    private LogCapture(String logger) {
        super("capture-" + logger, null, null, true, Property.EMPTY_ARRAY);
        this.logger = logger;
    }

    static LogCapture of(Class<?> logger) {
        LogCapture capture = new LogCapture(logger.getName());
        capture.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        LoggerConfig config = new LoggerConfig(logger.getName(), Level.INFO, false);
        config.addAppender(capture, Level.INFO, null);
        context.getConfiguration().addLogger(logger.getName(), config);
        context.updateLoggers();
        return capture;
    }

    @Override
    public synchronized void append(LogEvent event) {
        lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /** The captured lines at one level. */
    synchronized List<String> lines(Level level) {
        List<String> out = new ArrayList<>();
        for (String l : lines) if (l.startsWith(level + " ")) out.add(l);
        return out;
    }

    @Override
    public void close() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().removeLogger(logger);
        context.updateLoggers();
        stop();
    }
}
