import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.index.reindex.ReindexPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * One OpenSearch node in this JVM, for tests: single-node discovery on 127.0.0.1, the modules given
 * to Node's protected constructor as classpath plugins (no plugin folders, no security manager).
 * Prints `OPENSEARCH_READY <http port>` once it serves, and exits when standard input closes, so a
 * test run that dies never leaves it behind.
 *
 * Usage: java -cp lib/*:classes NexusTestNode <home dir> [<data dir>] [<http port, 0 = any free>]
 */
public final class NexusTestNode extends Node {
  private NexusTestNode(Settings settings) {
    super(InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null, () -> "nexus-test"),
        List.of(Netty4Plugin.class, CommonAnalysisPlugin.class, MapperExtrasPlugin.class, ReindexPlugin.class, PainlessPlugin.class), true);
  }

  public static void main(String[] args) throws Exception {
    Path home = Files.createDirectories(Path.of(args[0]));
    Settings settings = Settings.builder()
        .put("cluster.name", "nexus-test").put("node.name", "nexus-test")
        .put("path.home", home.toString())
        .put("path.data", args.length > 1 ? args[1] : home.resolve("data").toString())
        .put("discovery.type", "single-node").put("network.host", "127.0.0.1")
        .put("http.port", args.length > 2 ? args[2] : "0").put("transport.port", "0")
        // A nearly full disk must not turn test indices read-only.
        .put("cluster.routing.allocation.disk.threshold_enabled", false)
        .build();
    LogConfigurator.configureWithoutConfig(settings);
    Node node = new NexusTestNode(settings).start();
    int port = node.injector().getInstance(HttpServerTransport.class).boundAddress().publishAddress().getPort();
    System.out.println("OPENSEARCH_READY " + port);
    System.out.flush();
    while (System.in.read() != -1) {
      // Wait for the parent to close our stdin (or die).
    }
    node.close();
    System.exit(0);
  }
}
