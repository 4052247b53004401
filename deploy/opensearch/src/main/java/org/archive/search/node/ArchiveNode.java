package org.archive.search.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * Runs one OpenSearch node in this JVM, with the modules the archive's index needs
 * loaded from the classpath (no plugins/ or modules/ directory, no distribution).
 *
 * <p>Settings, later ones winning:
 * <ol>
 *   <li>the defaults below (loopback only, disk watermarks off);</li>
 *   <li>{@code path.home/config/opensearch.yml}, when it exists;</li>
 *   <li>system properties {@code -Darchive.node.SETTING=VALUE}
 *       (e.g. {@code -Darchive.node.http.port=9201});</li>
 *   <li>arguments {@code -ESETTING=VALUE}, {@code --SETTING=VALUE} or {@code SETTING=VALUE}
 *       (e.g. {@code -Ediscovery.seed_hosts=127.0.0.1:9300,127.0.0.1:9301}).</li>
 * </ol>
 * {@code path.home} is required. Logs go to {@code path.logs/NODE_NAME.log}
 * (default {@code path.home/logs}); one line is printed on stdout once the node is started.
 *
 * <p>SIGTERM (or Ctrl+C) closes the node cleanly: shards are flushed, the node leaves the
 * cluster, then the JVM exits 0. A node that cannot start exits 1 with the cause on stderr.
 */
public final class ArchiveNode {

    /** The system-property prefix for settings. */
    static final String PROPERTY_PREFIX = "archive.node.";

    /** The modules a full OpenSearch distribution would load from modules/, which we need. */
    static final List<Class<? extends Plugin>> MODULES = List.of(
        Netty4Plugin.class,          // http.type / transport.type netty4: HTTP API and node-to-node transport
        CommonAnalysisPlugin.class,  // stemmer, elision, asciifolding, stop, ... (analysis-common)
        MapperExtrasPlugin.class     // search_as_you_type, rank_feature, scaled_float, token_count
    );

    private ArchiveNode() {}

    /** Node's constructor that takes classpath plugins is protected: this is all the subclass does. */
    static final class ClasspathNode extends Node {
        ClasspathNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
            super(environment, plugins, true);
        }
    }

    static Settings.Builder defaults() {
        return Settings.builder()
            .put("cluster.name", "archive")
            .put("network.host", "127.0.0.1")
            .put("http.port", "9200")
            .put("transport.port", "9300")
            // A test cluster on a shared disk: don't refuse replicas because the disk is 85 % full.
            .put("cluster.routing.allocation.disk.threshold_enabled", "false");
    }

    /** Settings from {@code -Darchive.node.*} system properties and from arguments. */
    static Settings.Builder parse(String[] args, Properties properties) {
        Settings.Builder builder = defaults();
        for (String name : properties.stringPropertyNames()) {
            if (name.startsWith(PROPERTY_PREFIX) && name.length() > PROPERTY_PREFIX.length()) {
                builder.put(name.substring(PROPERTY_PREFIX.length()), properties.getProperty(name));
            }
        }
        for (String arg : args) {
            String pair = arg;
            if (pair.startsWith("-E")) {
                pair = pair.substring(2);
            } else if (pair.startsWith("--")) {
                pair = pair.substring(2);
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected SETTING=VALUE, -ESETTING=VALUE or --SETTING=VALUE, got [" + arg + "]");
            }
            builder.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return builder;
    }

    /** LogConfigurator reads log4j2*.properties from the config directory: put ours there once. */
    static void installLoggingConfig(Path configDir) throws IOException {
        Files.createDirectories(configDir);
        Path target = configDir.resolve("log4j2.properties");
        if (Files.exists(target)) {
            return;
        }
        try (InputStream in = ArchiveNode.class.getResourceAsStream("log4j2.properties")) {
            if (in == null) {
                throw new IOException("log4j2.properties missing from the launcher jar");
            }
            Files.copy(in, target);
        }
    }

    public static void main(String[] args) {
        // Our shutdown hook closes the node and then log4j: log4j's own hook would stop logging
        // before the node has said it closed (the distribution sets these in jvm.options).
        if (System.getProperty("log4j.shutdownHookEnabled") == null) {
            System.setProperty("log4j.shutdownHookEnabled", "false");
        }
        if (System.getProperty("log4j2.disable.jmx") == null) {
            System.setProperty("log4j2.disable.jmx", "true");
        }
        PrintStream out = System.out;
        final Environment environment;
        final Node node;
        try {
            Settings.Builder builder = parse(args, System.getProperties());
            String home = builder.get("path.home");
            if (home == null || home.isEmpty()) {
                throw new IllegalArgumentException("path.home is required (-Epath.home=DIR)");
            }
            Path homePath = Paths.get(home).toAbsolutePath();
            builder.put("path.home", homePath.toString());
            String nodeName = builder.get("node.name");
            if (nodeName == null || nodeName.isEmpty()) {
                nodeName = homePath.getFileName().toString();
                builder.put("node.name", nodeName);
            }
            installLoggingConfig(homePath.resolve("config"));
            final String name = nodeName;
            environment = InternalSettingsPreparer.prepareEnvironment(builder.build(), Map.of(), null, () -> name);
            Files.createDirectories(environment.logsFile());
            LogConfigurator.setNodeName(name);
            LogConfigurator.configure(environment);
            node = new ClasspathNode(environment, MODULES);
        } catch (Exception e) {
            System.err.println("archive-opensearch-node: cannot set up the node: " + e);
            e.printStackTrace();
            System.exit(1);
            return;
        }

        CountDownLatch closed = new CountDownLatch(1);
        Thread shutdown = new Thread(() -> {
            try {
                node.close();
                if (!node.awaitClose(30, TimeUnit.SECONDS)) {
                    System.err.println("archive-opensearch-node: node did not close within 30 s");
                }
            } catch (IOException | InterruptedException | RuntimeException e) {
                System.err.println("archive-opensearch-node: error while closing: " + e);
            } finally {
                LoggerContext context = (LoggerContext) LogManager.getContext(false);
                Configurator.shutdown(context);
                closed.countDown();
            }
        }, "archive-node-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);

        try {
            node.start();
        } catch (Throwable e) {
            System.err.println("archive-opensearch-node: node failed to start: " + e);
            e.printStackTrace();
            System.exit(1);  // runs the shutdown hook, which closes what was started
            return;
        }
        Settings s = environment.settings();
        out.println("archive-opensearch-node started: node=" + s.get("node.name")
            + " cluster=" + s.get("cluster.name")
            + " http=" + s.get("network.host") + ":" + s.get("http.port")
            + " transport=" + s.get("network.host") + ":" + s.get("transport.port")
            + " pid=" + ProcessHandle.current().pid());
        out.flush();

        // OpenSearch's threads are daemons: keep the JVM alive until the shutdown hook has run.
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
