package org.pathways.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Physical memory a process really uses (its resident set), as the kernel reports it. The heap limit each child is
 * given says little: the JVM's metaspace, code cache and thread stacks come on top, and an unused heap is not resident.
 */
final class ResidentMemory {

    private ResidentMemory() {
    }

    /** The VmRSS of {@code pid} in kibibytes, or empty where there is no /proc (not Linux) or the process is gone. */
    static OptionalLong kibibytesOf(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Fall through: unknown.
        }
        return OptionalLong.empty();
    }
}
