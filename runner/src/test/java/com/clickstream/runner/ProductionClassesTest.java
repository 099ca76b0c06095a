package com.clickstream.runner;

import com.clickstream.runner.tools.GenerateEvents;
import com.clickstream.runner.tools.LocalApp;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dev-only tools (src/tools/java: LocalApp, GenerateEvents) compile with the tests and never ship in
 * the jar that goes to Managed Flink. The shaded jar packs exactly the production classes directory
 * (target/classes) plus the shaded dependencies, none of which has a com.clickstream package: so no
 * {@code com/clickstream/runner/tools/} class there means none in the jar.
 */
class ProductionClassesTest {
    static Path classesOf(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void productionClassesHaveNoDevTools() throws Exception {
        Path production = classesOf(SqlRunner.class);
        assertTrue(Files.isRegularFile(production.resolve("com/clickstream/runner/SqlRunner.class")), production.toString());
        List<String> tools;
        try (Stream<Path> files = Files.walk(production)) {
            // Files only: the compiler deletes the classes of removed sources but may leave their empty folder.
            tools = files.filter(Files::isRegularFile).map(p -> production.relativize(p).toString().replace('\\', '/'))
                    .filter(p -> p.startsWith("com/clickstream/runner/tools")).collect(Collectors.toList());
        }
        assertEquals(List.of(), tools, "dev-only classes in " + production);
        assertNotEquals(production, classesOf(LocalApp.class));
        assertEquals(classesOf(LocalApp.class), classesOf(GenerateEvents.class));
    }
}
