// Runs the bundled DynamoDB Local with its HTTP listener bound to 127.0.0.1 only: the jar has no
// -host option (Jetty's Server(port) listens on every interface), so this launcher builds the
// server with the jar's own command-line parser and sets the connector's host before starting it.
// It also exits when its standard input closes, i.e. when the Node process that started it is gone
// (even killed with SIGKILL), so Java is never left running on its own.
// Run in Java's single-file source mode: java -cp DynamoDBLocal.jar LoopbackDynamoDbLocal.java <jar options>
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    for (Connector connector : server.getConnectors()) ((ServerConnector) connector).setHost("127.0.0.1");
    Thread watchdog = new Thread(() -> {
      try {
        while (System.in.read() != -1) { /* the parent writes nothing; EOF means it is gone */ }
      } catch (Exception ignored) {
        // A broken pipe means the same as EOF.
      }
      System.exit(0);
    });
    watchdog.setDaemon(true);
    watchdog.start();
    proxy.start();
  }
}
