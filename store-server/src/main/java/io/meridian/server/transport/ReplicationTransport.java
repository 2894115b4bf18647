package io.meridian.server.transport;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.meridian.server.region.FrameSender;
import io.meridian.server.region.RegionOwner;
import io.meridian.server.tls.MutualTls;
import io.meridian.server.tls.PeerIdentity;
import io.meridian.server.tls.PeerRejectedException;
import io.meridian.server.tls.TlsMaterial;
import io.meridian.server.tls.TlsMaterial.Refusal;
import io.meridian.server.tls.TlsMaterial.Side;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.io.IOException;
import java.security.cert.Certificate;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * One region's replication links. Frames are {@code length (4 bytes, big-endian) | FrameProto}, at
 * most {@link TransportConfig#frameBytesMax()} bytes; a longer length closes the connection. Both
 * directions of a connection carry frames, so a peer that only one side dials still hears back.
 *
 * <p>Identity: with TLS, a connection's peer is the region its certificate names (checked with
 * {@link PeerIdentity}), on the listening side and on the dialling side alike. Every frame's sender
 * field must equal that name; a frame from anyone else is dropped and counted. Without TLS (tests
 * only) the first frame's sender names the connection, which anyone on the network could forge; the
 * transport logs a warning at start.
 *
 * <p>Bounds: each peer has a send queue of {@link TransportConfig#sendQueueFramesMax()} frames,
 * filled while the socket's own buffer is full or the peer is unreachable; a frame that finds it
 * full is dropped (the protocol resends what is not acknowledged). Reconnects back off from {@link
 * TransportConfig#reconnectDelayMillisMin()} doubling to {@link
 * TransportConfig#reconnectDelayMillisMax()}.
 *
 * <p>All state lives on the region owner's Vert.x context ({@link RegionOwner#startOnOwner}), so
 * that frames between the owner and the transport are tasks on one thread; {@link #send} hops onto
 * it when called from elsewhere.
 */
public final class ReplicationTransport implements FrameSender {
  private static final Logger LOG = Logger.getLogger(ReplicationTransport.class.getName());
  private static final int LENGTH_BYTES = 4;
  private static final int SENDER_FIELD = 2;

  private final Vertx vertx;
  private final TransportConfig config;
  private final RegionOwner region;
  private final TlsMaterial material;
  private final Map<String, Link> links = new TreeMap<>();
  private final Map<String, Boolean> connectedPeers = new ConcurrentHashMap<>();
  private final AtomicLong droppedFrames = new AtomicLong();
  private final AtomicLong oversizedFrames = new AtomicLong();
  private Context context;
  private NetServer server;
  private NetClient client;
  private volatile boolean closed;
  private int boundPort;

  /** A peer's sockets and queue. */
  private static final class Link {
    final String peer;
    final ArrayDeque<Buffer> queue = new ArrayDeque<>();
    NetSocket outbound;
    NetSocket inbound;
    PeerAddress address;
    long reconnectDelayMillis;
    boolean blocked;

    Link(String peer) {
      this.peer = peer;
    }

    NetSocket socket() {
      return outbound != null ? outbound : inbound;
    }
  }

  private ReplicationTransport(
      Vertx vertx, TransportConfig config, RegionOwner region, TlsMaterial material) {
    this.vertx = vertx;
    this.config = config;
    this.region = region;
    this.material = material;
    for (String name : config.regions()) {
      if (!name.equals(config.self())) {
        links.put(name, new Link(name));
      }
    }
    for (PeerAddress peer : config.peers()) {
      Link link = links.get(peer.region());
      link.address = peer;
      link.reconnectDelayMillis = config.reconnectDelayMillisMin();
    }
  }

  /**
   * Starts listening on {@link TransportConfig#host()}:{@link TransportConfig#port()}, dials every
   * configured peer, and connects {@code region} to it.
   */
  public static Future<ReplicationTransport> start(
      Vertx vertx, TransportConfig config, RegionOwner region) {
    return start(
        vertx,
        config,
        region,
        config.insecure()
            ? null
            : TlsMaterial.forPeers(config.tls(), Optional.empty(), new SimpleMeterRegistry()));
  }

  /**
   * As {@link #start(Vertx, TransportConfig, RegionOwner)}, with TLS from {@code material} (null
   * exactly when the configuration is plaintext): its key, CA and revocation list are read at each
   * handshake, and after each reload the open connections' peers are checked again.
   */
  public static Future<ReplicationTransport> start(
      Vertx vertx, TransportConfig config, RegionOwner region, TlsMaterial material) {
    if (config.insecure() != (material == null)) {
      throw new IllegalArgumentException("TLS material is needed exactly when TLS is configured");
    }
    if (!config.insecure()) {
      // On the caller's thread, not the event loop: the first call loads BoringSSL and runs its
      // self-test, which blocked an event loop for over 6 s on a busy machine.
      MutualTls.engine();
    }
    ReplicationTransport transport = new ReplicationTransport(vertx, config, region, material);
    // On the owner's context: frames between the transport and the owner are tasks on one thread.
    return region
        .startOnOwner(() -> transport.startOnContext(Vertx.currentContext()))
        .map(
            ignored -> {
              region.connect(transport);
              return transport;
            });
  }

  private Future<Void> startOnContext(Context ownContext) {
    this.context = ownContext;
    NetServerOptions serverOptions =
        config.insecure() ? new NetServerOptions() : MutualTls.serverOptions(material);
    NetClientOptions clientOptions =
        config.insecure() ? new NetClientOptions() : MutualTls.clientOptions(material);
    if (material != null) {
      material.onReload(() -> ownContext.runOnContext(v -> recheckPeers()));
    }
    clientOptions.setConnectTimeout(5_000);
    if (!config.insecure()) {
      LOG.info(
          "region "
              + config.self()
              + " replicates over mutual TLS, "
              + MutualTls.engine().describe());
    }
    if (config.insecure()) {
      LOG.warning(
          "INSECURE: region "
              + config.self()
              + " replicates WITHOUT TLS; peers are not authenticated. For tests only.");
    }
    server = vertx.createNetServer(serverOptions.setHost(config.host()).setPort(config.port()));
    client = vertx.createNetClient(clientOptions);
    server.connectHandler(this::accepted);
    return server
        .listen()
        .map(
            listening -> {
              boundPort = listening.actualPort();
              for (Link link : links.values()) {
                if (link.address != null) {
                  dial(link);
                }
              }
              return null;
            });
  }

  /** The port the listener is bound to. */
  public int port() {
    return boundPort;
  }

  /** The configuration. */
  public TransportConfig config() {
    return config;
  }

  // ------------------------------------------------------------------ sending

  @Override
  public void send(String peer, byte[] frame) {
    if (frame.length > config.frameBytesMax()) {
      oversizedFrames.incrementAndGet();
      return;
    }
    context.runOnContext(v -> enqueue(peer, frame));
  }

  private void enqueue(String peer, byte[] frame) {
    Link link = links.get(peer);
    if (link == null || link.blocked || closed) {
      droppedFrames.incrementAndGet();
      return;
    }
    if (link.queue.size() >= config.sendQueueFramesMax()) {
      droppedFrames.incrementAndGet();
      return;
    }
    Buffer buffer = Buffer.buffer(LENGTH_BYTES + frame.length);
    buffer.appendInt(frame.length).appendBytes(frame);
    link.queue.add(buffer);
    flush(link);
  }

  private void flush(Link link) {
    NetSocket socket = link.socket();
    if (socket == null) {
      return;
    }
    while (!link.queue.isEmpty() && !socket.writeQueueFull()) {
      socket.write(link.queue.poll());
    }
    if (!link.queue.isEmpty()) {
      socket.drainHandler(v -> flush(link));
    }
  }

  @Override
  public boolean connected(String peer) {
    return connectedPeers.getOrDefault(peer, false);
  }

  /** Frames dropped because a queue was full, the link blocked, or no such peer. */
  public long droppedFrames() {
    return droppedFrames.get();
  }

  /**
   * Fault injection for tests: while blocked, every frame to or from {@code peer} is dropped, as if
   * the network between the two regions were cut. Queued frames are discarded.
   */
  public Future<Void> block(String peer, boolean blocked) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(
        v -> {
          Link link = links.get(peer);
          link.blocked = blocked;
          if (blocked) {
            link.queue.clear();
          }
          done.complete();
        });
    return done.future();
  }

  // ------------------------------------------------------------------ connections

  private void dial(Link link) {
    if (closed) {
      return;
    }
    client
        .connect(link.address.port(), link.address.host())
        .onComplete(
            result -> {
              if (result.failed()) {
                redial(link);
                return;
              }
              NetSocket socket = result.result();
              if (!config.insecure()) {
                try {
                  String name = identify(socket, Side.DIALLED);
                  if (!name.equals(link.peer)) {
                    material.count(Refusal.IDENTITY, Side.DIALLED);
                    LOG.warning(
                        "dialled "
                            + link.peer
                            + " at "
                            + link.address.host()
                            + ":"
                            + link.address.port()
                            + " but its certificate names "
                            + name);
                    socket.close();
                    redial(link);
                    return;
                  }
                } catch (PeerRejectedException e) {
                  LOG.warning("dialled " + link.peer + ": " + e.getMessage());
                  socket.close();
                  redial(link);
                  return;
                }
              }
              link.reconnectDelayMillis = config.reconnectDelayMillisMin();
              link.outbound = socket;
              updateConnected(link);
              String[] peer = {link.peer};
              read(socket, peer);
              socket.closeHandler(
                  v -> {
                    if (link.outbound == socket) {
                      link.outbound = null;
                    }
                    updateConnected(link);
                    redial(link);
                  });
              flush(link);
            });
  }

  private void redial(Link link) {
    if (closed) {
      return;
    }
    long delay = link.reconnectDelayMillis;
    link.reconnectDelayMillis = nextReconnectDelayMillis(delay, config);
    vertx.setTimer(delay, id -> dial(link));
  }

  /**
   * The delay before the dial after next: doubled, up to {@link
   * TransportConfig#reconnectDelayMillisMax()}.
   */
  static long nextReconnectDelayMillis(long delayMillis, TransportConfig config) {
    return Math.min(config.reconnectDelayMillisMax(), delayMillis * 2);
  }

  private void accepted(NetSocket socket) {
    String[] peer = {null};
    if (!config.insecure()) {
      try {
        peer[0] = identify(socket, Side.ACCEPTED);
      } catch (PeerRejectedException e) {
        LOG.warning("refused a replication connection: " + e.getMessage());
        socket.close();
        return;
      }
      if (peer[0].equals(config.self())) {
        socket.close();
        return;
      }
      attachInbound(links.get(peer[0]), socket);
    }
    read(socket, peer);
  }

  /**
   * The region at the other end of a TLS connection: the name its certificate gives, if the
   * material in force still accepts the certificate (a resumed session skips the handshake's
   * checks). A refusal is counted.
   */
  private String identify(NetSocket socket, Side side) throws PeerRejectedException {
    String name;
    try {
      name = PeerIdentity.authenticate(socket, config.regions());
    } catch (PeerRejectedException e) {
      material.count(Refusal.IDENTITY, side);
      throw e;
    }
    Optional<Refusal> refusal = material.refusal(peerCertificates(socket), side);
    if (refusal.isPresent()) {
      throw new PeerRejectedException(
          "certificate of " + name + " refused: " + refusal.get().tag());
    }
    return name;
  }

  private static List<Certificate> peerCertificates(NetSocket socket) {
    try {
      return socket.peerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return List.of();
    }
  }

  /**
   * After new material (a CA or a revocation list) is in force: closes every open connection whose
   * peer's certificate it refuses. The others keep going.
   */
  private void recheckPeers() {
    for (Link link : links.values()) {
      for (NetSocket socket : new NetSocket[] {link.outbound, link.inbound}) {
        if (socket == null) {
          continue;
        }
        Side side = socket == link.outbound ? Side.DIALLED : Side.ACCEPTED;
        Optional<Refusal> refusal = material.refusal(peerCertificates(socket), side);
        if (refusal.isPresent()) {
          LOG.warning(
              "closing the connection of "
                  + link.peer
                  + ": its certificate is now refused ("
                  + refusal.get().tag()
                  + ")");
          socket.close();
        }
      }
    }
  }

  private void attachInbound(Link link, NetSocket socket) {
    NetSocket previous = link.inbound;
    link.inbound = socket;
    if (previous != null && previous != socket) {
      previous.close();
    }
    updateConnected(link);
    socket.closeHandler(
        v -> {
          if (link.inbound == socket) {
            link.inbound = null;
          }
          updateConnected(link);
        });
    flush(link);
  }

  private void updateConnected(Link link) {
    connectedPeers.put(link.peer, link.socket() != null);
  }

  private void read(NetSocket socket, String[] peer) {
    // A peer that goes away resets its connection: expected, the close handler redials.
    socket.exceptionHandler(
        error -> LOG.fine(() -> "replication connection to " + peer[0] + ": " + error));
    RecordParser parser = RecordParser.newFixed(LENGTH_BYTES);
    boolean[] expectingLength = {true};
    parser.handler(
        buffer -> {
          if (expectingLength[0]) {
            int length = buffer.getInt(0);
            if (length < 1 || length > config.frameBytesMax()) {
              oversizedFrames.incrementAndGet();
              LOG.warning("frame of " + length + " bytes from " + peer[0] + ": closing");
              socket.close();
              return;
            }
            expectingLength[0] = false;
            parser.fixedSizeMode(length);
          } else {
            expectingLength[0] = true;
            parser.fixedSizeMode(LENGTH_BYTES);
            received(socket, peer, buffer.getBytes());
          }
        });
    socket.handler(parser);
  }

  private void received(NetSocket socket, String[] peer, byte[] frame) {
    String sender = senderOf(frame);
    if (peer[0] == null) {
      // Plaintext: the first frame names the connection.
      if (sender == null || !links.containsKey(sender)) {
        region.countFrameFromWrongSender();
        socket.close();
        return;
      }
      peer[0] = sender;
      attachInbound(links.get(sender), socket);
    }
    if (!peer[0].equals(sender)) {
      region.countFrameFromWrongSender();
      return;
    }
    Link link = links.get(peer[0]);
    if (link.blocked) {
      droppedFrames.incrementAndGet();
      return;
    }
    region.receiveFrame(frame);
  }

  /** The sender field of a frame, or null when the bytes do not get that far. */
  static String senderOf(byte[] frame) {
    try {
      CodedInputStream input = CodedInputStream.newInstance(frame);
      while (true) {
        int tag = input.readTag();
        if (tag == 0) {
          return null;
        }
        if (WireFormat.getTagFieldNumber(tag) == SENDER_FIELD
            && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
          return input.readStringRequireUtf8();
        }
        if (!input.skipField(tag)) {
          return null;
        }
      }
    } catch (IOException e) {
      return null;
    }
  }

  /** Closes the listener and every connection. */
  public Future<Void> close() {
    closed = true;
    Promise<Void> done = Promise.promise();
    context.runOnContext(
        v -> {
          for (Link link : links.values()) {
            link.queue.clear();
          }
          client
              .close()
              .transform(ignored -> server.close())
              .onComplete(ignored -> done.complete());
        });
    return done.future();
  }
}
