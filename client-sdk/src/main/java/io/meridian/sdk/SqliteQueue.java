package io.meridian.sdk;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.clocks.DecodeException;
import io.meridian.crdt.CrdtRegistry;
import io.meridian.crdt.CrdtRequestException;
import io.meridian.crdt.CrdtState;
import io.meridian.crdt.CrdtType;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The offline directory: one SQLite database (WAL, {@code synchronous=FULL}, so a committed
 * transaction survives a crash of the process and of the machine) holding the client id, the next
 * sequence number, the session token, the base objects a region sent, the local states and the
 * queue. Appending an update allocates its sequence number, applies it to the local state and
 * queues it in ONE transaction: after a crash either all three happened or none did, so an update
 * the application was told is durable is sent exactly once, and one it was not told about never
 * half-exists. A pending update is never discarded: acknowledged ones leave the queue, refused ones
 * move to the {@code rejected} table with the region's reason (no "client reset", the complaint of
 * realm-js#3548 and rocicorp/replicache#335).
 *
 * <p>A file lock beside the database keeps a second client (or process) off the directory.
 */
final class SqliteQueue implements UpdateQueue {
  /** The schema version in {@code PRAGMA user_version}; an unknown one is refused. */
  static final int FORMAT_VERSION = 1;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Connection connection;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final int entriesMax;
  private final long bytesMax;
  private final String clientId;
  private long nextSeq;
  private long changes;
  private long entries;
  private long bytes;

  private SqliteQueue(
      Connection connection, FileChannel lockChannel, FileLock lock, int entriesMax, long bytesMax)
      throws SQLException {
    this.connection = connection;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.entriesMax = entriesMax;
    this.bytesMax = bytesMax;
    String id = meta("client_id");
    if (id == null) {
      id = OperationIdentity.newClientId();
      setMeta("client_id", id);
      setMeta("next_seq", "1");
      connection.commit();
    }
    this.clientId = id;
    this.nextSeq = Long.parseLong(meta("next_seq"));
    try (Statement statement = connection.createStatement();
        ResultSet totals =
            statement.executeQuery("SELECT COUNT(*), COALESCE(SUM(bytes), 0) FROM queue")) {
      totals.next();
      entries = totals.getLong(1);
      bytes = totals.getLong(2);
    }
    connection.commit();
  }

  static SqliteQueue open(Path directory, int entriesMax, long bytesMax) {
    FileChannel channel = null;
    try {
      Files.createDirectories(directory);
      channel =
          FileChannel.open(
              directory.resolve("client.lock"),
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        throw new MeridianException.LocalStoreFailure(
            "another client holds the offline directory " + directory, null);
      }
      Connection connection =
          DriverManager.getConnection("jdbc:sqlite:" + directory.resolve("meridian.db"));
      try (Statement statement = connection.createStatement()) {
        statement.execute("PRAGMA journal_mode=WAL");
        statement.execute("PRAGMA synchronous=FULL");
        int version;
        try (ResultSet row = statement.executeQuery("PRAGMA user_version")) {
          version = row.getInt(1);
        }
        if (version != 0 && version != FORMAT_VERSION) {
          throw new MeridianException.LocalStoreFailure(
              "the offline directory has format " + version + ", this SDK reads " + FORMAT_VERSION,
              null);
        }
        connection.setAutoCommit(false);
        statement.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)");
        statement.execute(
            "CREATE TABLE IF NOT EXISTS objects (bucket TEXT, key TEXT, type TEXT, value TEXT,"
                + " context TEXT, PRIMARY KEY (bucket, key))");
        statement.execute(
            "CREATE TABLE IF NOT EXISTS local_states (bucket TEXT, key TEXT, state BLOB,"
                + " PRIMARY KEY (bucket, key))");
        statement.execute(
            "CREATE TABLE IF NOT EXISTS queue (first_seq INTEGER PRIMARY KEY, updates TEXT,"
                + " bytes INTEGER, created_millis INTEGER)");
        statement.execute(
            "CREATE TABLE IF NOT EXISTS queue_keys (first_seq INTEGER, bucket TEXT, key TEXT,"
                + " PRIMARY KEY (bucket, key, first_seq))");
        statement.execute(
            "CREATE TABLE IF NOT EXISTS rejected (first_seq INTEGER PRIMARY KEY, updates TEXT,"
                + " error TEXT, rejected_millis INTEGER)");
        statement.execute("PRAGMA user_version=" + FORMAT_VERSION);
        connection.commit();
      }
      return new SqliteQueue(connection, channel, lock, entriesMax, bytesMax);
    } catch (IOException | SQLException | OverlappingFileLockException e) {
      closeQuietly(channel);
      throw new MeridianException.LocalStoreFailure(
          "cannot open the offline directory " + directory + ": " + e.getMessage(), e);
    } catch (MeridianException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // Nothing more to do about a lock file that will not close.
      }
    }
  }

  @Override
  public boolean durable() {
    return true;
  }

  @Override
  public String clientId() {
    return clientId;
  }

  @Override
  public synchronized Entry append(List<Queued> updates) {
    long size = QueueBounds.bytesOf(updates);
    QueueBounds.check(entries, bytes, size, entriesMax, bytesMax);
    long created = System.currentTimeMillis();
    long firstSeq = nextSeq;
    OperationIdentity identity = new OperationIdentity(clientId);
    try {
      Map<String, CrdtState> scratch = new LinkedHashMap<>();
      for (int i = 0; i < updates.size(); i++) {
        Queued update = updates.get(i);
        String name = Snapshot.name(update.bucket(), update.key());
        CrdtState state =
            scratch.containsKey(name)
                ? scratch.get(name)
                : localState(update.bucket(), update.key());
        long seq = firstSeq + i;
        scratch.put(
            name,
            LocalReplica.apply(state, update.body(), seq, created, identity.localOperationId(seq)));
      }
      try (PreparedStatement insert =
          connection.prepareStatement("INSERT INTO queue VALUES (?, ?, ?, ?)")) {
        insert.setLong(1, firstSeq);
        insert.setString(2, encode(updates));
        insert.setLong(3, size);
        insert.setLong(4, created);
        insert.executeUpdate();
      }
      Set<List<String>> keys = new LinkedHashSet<>();
      updates.forEach(update -> keys.add(List.of(update.bucket(), update.key())));
      try (PreparedStatement insert =
          connection.prepareStatement("INSERT INTO queue_keys VALUES (?, ?, ?)")) {
        for (List<String> key : keys) {
          insert.setLong(1, firstSeq);
          insert.setString(2, key.get(0));
          insert.setString(3, key.get(1));
          insert.executeUpdate();
        }
      }
      for (Queued update : updates) {
        saveLocalState(
            update.bucket(),
            update.key(),
            scratch.get(Snapshot.name(update.bucket(), update.key())));
      }
      setMeta("next_seq", Long.toString(firstSeq + updates.size()));
      connection.commit();
    } catch (CrdtRequestException e) {
      rollback();
      throw switch (e.code()) {
        case TYPE_MISMATCH -> new MeridianException.TypeMismatch(e.getMessage(), null);
        case CONTEXT_EXPIRED -> new MeridianException.ContextExpired(e.getMessage(), null);
        default -> new MeridianException.BadRequest(e.getMessage(), null);
      };
    } catch (SQLException e) {
      rollback();
      throw failure("queueing an update", e);
    }
    nextSeq = firstSeq + updates.size();
    changes++;
    entries++;
    bytes += size;
    return new Entry(firstSeq, List.copyOf(updates), size, created);
  }

  @Override
  public synchronized Entry head() {
    try (Statement statement = connection.createStatement();
        ResultSet row =
            statement.executeQuery(
                "SELECT first_seq, updates, bytes, created_millis FROM queue"
                    + " ORDER BY first_seq LIMIT 1")) {
      Entry entry = row.next() ? entry(row) : null;
      connection.commit();
      return entry;
    } catch (SQLException e) {
      throw failure("reading the queue", e);
    }
  }

  @Override
  public synchronized void acknowledge(Entry entry, List<JsonNode> objects, String sessionToken) {
    try {
      dequeue(entry);
      if (sessionToken != null) {
        setMeta("session_token", sessionToken);
      }
      for (JsonNode object : objects) {
        saveBase(object);
      }
      // A key with more queued updates keeps its local state: the acknowledged update moved from
      // the queue into the base, which shows the same. Rebuilding it from the base and every
      // queued update at each acknowledgement made draining a long queue quadratic.
      rebuild(entry.updates(), true);
      connection.commit();
    } catch (SQLException e) {
      rollback();
      throw failure("acknowledging an update", e);
    }
    changes++;
    entries--;
    bytes -= entry.bytes();
  }

  @Override
  public synchronized void reject(Entry entry, String error) {
    try {
      dequeue(entry);
      try (PreparedStatement insert =
          connection.prepareStatement("INSERT OR REPLACE INTO rejected VALUES (?, ?, ?, ?)")) {
        insert.setLong(1, entry.firstSeq());
        insert.setString(2, encode(entry.updates()));
        insert.setString(3, error);
        insert.setLong(4, System.currentTimeMillis());
        insert.executeUpdate();
      }
      // The local states showed the refused update: take it out of them.
      rebuild(entry.updates(), false);
      connection.commit();
    } catch (SQLException e) {
      rollback();
      throw failure("setting a refused update aside", e);
    }
    changes++;
    entries--;
    bytes -= entry.bytes();
  }

  private void dequeue(Entry entry) throws SQLException {
    for (String table : new String[] {"queue", "queue_keys"}) {
      try (PreparedStatement delete =
          connection.prepareStatement("DELETE FROM " + table + " WHERE first_seq = ?")) {
        delete.setLong(1, entry.firstSeq());
        delete.executeUpdate();
      }
    }
  }

  private void rebuild(List<Queued> updates, boolean onlyWithoutQueued) throws SQLException {
    Set<List<String>> keys = new LinkedHashSet<>();
    updates.forEach(update -> keys.add(List.of(update.bucket(), update.key())));
    for (List<String> key : keys) {
      if (!onlyWithoutQueued || !hasQueued(key.get(0), key.get(1))) {
        rebuild(key.get(0), key.get(1));
      }
    }
  }

  @Override
  public synchronized void observed(JsonNode object, long changesAtStart) {
    ObjectView view = ObjectView.of(object);
    if (view == null || changes != changesAtStart) {
      return;
    }
    try {
      if (hasQueued(view.bucket(), view.key())) {
        connection.commit();
        return;
      }
      saveBase(object);
      rebuild(view.bucket(), view.key());
      connection.commit();
    } catch (SQLException e) {
      rollback();
      throw failure("keeping a read", e);
    }
  }

  @Override
  public synchronized long changes() {
    return changes;
  }

  private boolean hasQueued(String bucket, String key) throws SQLException {
    return selectByKey(
        "SELECT 1 FROM queue_keys WHERE bucket = ? AND key = ? LIMIT 1",
        bucket,
        key,
        ResultSet::next);
  }

  /** What {@code reader} makes of the rows of {@code sql}, whose two parameters name the key. */
  private interface RowReader<T> {
    T read(ResultSet rows) throws SQLException;
  }

  private <T> T selectByKey(String sql, String bucket, String key, RowReader<T> reader)
      throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(sql)) {
      select.setString(1, bucket);
      select.setString(2, key);
      try (ResultSet rows = select.executeQuery()) {
        return reader.read(rows);
      }
    }
  }

  private void saveBase(JsonNode object) throws SQLException {
    ObjectView view = ObjectView.of(object);
    if (view == null) {
      return;
    }
    try (PreparedStatement upsert =
        connection.prepareStatement("INSERT OR REPLACE INTO objects VALUES (?, ?, ?, ?, ?)")) {
      upsert.setString(1, view.bucket());
      upsert.setString(2, view.key());
      upsert.setString(3, view.type());
      upsert.setString(4, view.value().toString());
      upsert.setString(5, view.context());
      upsert.executeUpdate();
    }
  }

  /** The local state of a key again: its base, then its queued updates in sequence order. */
  private void rebuild(String bucket, String key) throws SQLException {
    List<Entry> pending =
        selectByKey(
            "SELECT q.first_seq, q.updates, q.bytes, q.created_millis FROM queue q JOIN queue_keys"
                + " k ON q.first_seq = k.first_seq WHERE k.bucket = ? AND k.key = ?"
                + " ORDER BY q.first_seq",
            bucket,
            key,
            rows -> {
              List<Entry> entries = new ArrayList<>();
              while (rows.next()) {
                entries.add(entry(rows));
              }
              return entries;
            });
    LocalReplica.FieldTypes fieldTypes = new LocalReplica.FieldTypes();
    for (Entry entry : pending) {
      for (Queued update : entry.updates()) {
        if (update.bucket().equals(bucket) && update.key().equals(key)) {
          fieldTypes.learn(update.body());
        }
      }
    }
    CrdtState state = null;
    ObjectView base = base(bucket, key);
    if (base != null) {
      try {
        state = LocalReplica.seed(base.type(), base.value(), fieldTypes);
      } catch (CrdtRequestException e) {
        // Queued updates named another field type than the region holds: show the region's value.
        state = LocalReplica.seed(base.type(), base.value(), new LocalReplica.FieldTypes());
      }
    }
    OperationIdentity identity = new OperationIdentity(clientId);
    for (Entry entry : pending) {
      for (int i = 0; i < entry.updates().size(); i++) {
        Queued update = entry.updates().get(i);
        if (!update.bucket().equals(bucket) || !update.key().equals(key)) {
          continue;
        }
        long seq = entry.firstSeq() + i;
        try {
          state =
              LocalReplica.apply(
                  state, update.body(), seq, entry.createdMillis(), identity.localOperationId(seq));
        } catch (CrdtRequestException e) {
          // The region's newer value no longer fits this queued update (an index past the end):
          // the region will judge it when it is sent; the replica shows what it can.
        }
      }
    }
    saveLocalState(bucket, key, state);
  }

  private ObjectView base(String bucket, String key) throws SQLException {
    return selectByKey(
        "SELECT type, value, context FROM objects WHERE bucket = ? AND key = ?",
        bucket,
        key,
        row ->
            row.next()
                ? new ObjectView(
                    bucket, key, row.getString(1), parse(row.getString(2)), row.getString(3))
                : null);
  }

  private CrdtState localState(String bucket, String key) throws SQLException {
    byte[] bytes =
        selectByKey(
            "SELECT state FROM local_states WHERE bucket = ? AND key = ?",
            bucket,
            key,
            row -> row.next() ? row.getBytes(1) : null);
    if (bytes == null) {
      return null;
    }
    try {
      return CrdtRegistry.decodeState(bytes);
    } catch (DecodeException e) {
      throw new SQLException("unreadable local state of " + bucket + "/" + key, e);
    }
  }

  private void saveLocalState(String bucket, String key, CrdtState state) throws SQLException {
    if (state == null) {
      try (PreparedStatement delete =
          connection.prepareStatement("DELETE FROM local_states WHERE bucket = ? AND key = ?")) {
        delete.setString(1, bucket);
        delete.setString(2, key);
        delete.executeUpdate();
      }
      return;
    }
    try (PreparedStatement upsert =
        connection.prepareStatement("INSERT OR REPLACE INTO local_states VALUES (?, ?, ?)")) {
      upsert.setString(1, bucket);
      upsert.setString(2, key);
      upsert.setBytes(3, CrdtRegistry.encodeState(state));
      upsert.executeUpdate();
    }
  }

  @Override
  public synchronized String context(String bucket, String key) {
    try {
      ObjectView base = base(bucket, key);
      connection.commit();
      return base == null ? null : base.context();
    } catch (SQLException e) {
      throw failure("reading a context", e);
    }
  }

  @Override
  public synchronized ObjectView local(String bucket, String key) {
    try {
      CrdtState state = localState(bucket, key);
      ObjectView base = base(bucket, key);
      connection.commit();
      if (state == null) {
        return null;
      }
      CrdtType type = CrdtRegistry.typeOf(state);
      return new ObjectView(
          bucket, key, type.name(), type.value(state), base == null ? null : base.context());
    } catch (SQLException e) {
      throw failure("reading the offline replica", e);
    }
  }

  @Override
  public boolean hasReplica() {
    return true;
  }

  @Override
  public synchronized long pendingEntries() {
    return entries;
  }

  @Override
  public synchronized long pendingBytes() {
    return bytes;
  }

  @Override
  public synchronized long oldestCreatedMillis() {
    Entry head = head();
    return head == null ? 0 : head.createdMillis();
  }

  @Override
  public synchronized long rejectedEntries() {
    try (Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SELECT COUNT(*) FROM rejected")) {
      long count = row.getLong(1);
      connection.commit();
      return count;
    } catch (SQLException e) {
      throw failure("counting refused updates", e);
    }
  }

  @Override
  public synchronized String sessionToken() {
    try {
      String token = meta("session_token");
      connection.commit();
      return token;
    } catch (SQLException e) {
      throw failure("reading the session", e);
    }
  }

  @Override
  public synchronized void saveSessionToken(String token) {
    if (token == null) {
      return;
    }
    try {
      setMeta("session_token", token);
      connection.commit();
    } catch (SQLException e) {
      rollback();
      throw failure("saving the session", e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      // Closing: every transaction was committed or rolled back already.
    }
    try {
      lock.release();
    } catch (IOException e) {
      // The channel's close below releases it too.
    }
    closeQuietly(lockChannel);
  }

  private String meta(String name) throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement("SELECT value FROM meta WHERE name = ?")) {
      select.setString(1, name);
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? row.getString(1) : null;
      }
    }
  }

  private void setMeta(String name, String value) throws SQLException {
    try (PreparedStatement upsert =
        connection.prepareStatement("INSERT OR REPLACE INTO meta VALUES (?, ?)")) {
      upsert.setString(1, name);
      upsert.setString(2, value);
      upsert.executeUpdate();
    }
  }

  private void rollback() {
    try {
      connection.rollback();
    } catch (SQLException e) {
      // The connection is broken; the next call reports it.
    }
  }

  private static MeridianException.LocalStoreFailure failure(String what, SQLException e) {
    return new MeridianException.LocalStoreFailure(what + " failed: " + e.getMessage(), e);
  }

  /** The entry of a row of {@code first_seq, updates, bytes, created_millis}. */
  private static Entry entry(ResultSet row) throws SQLException {
    return new Entry(row.getLong(1), decode(row.getString(2)), row.getLong(3), row.getLong(4));
  }

  /** The {@code updates} column of a queue or rejected row: a JSON array of the entry's updates. */
  static String encode(List<Queued> updates) {
    ArrayNode array = JSON.createArrayNode();
    for (Queued update : updates) {
      ObjectNode item = array.addObject();
      item.put("bucket", update.bucket());
      item.put("key", update.key());
      item.set("body", update.body());
      item.put("observes", update.observes());
    }
    return array.toString();
  }

  /**
   * The updates of an {@code updates} column written by {@link #encode}.
   *
   * @throws SQLException for text that {@link #encode} cannot have written
   */
  static List<Queued> decode(String text) throws SQLException {
    JsonNode array = text == null ? null : parse(text);
    if (array == null || !array.isArray()) {
      throw new SQLException("a queue record in the offline directory is not a JSON array");
    }
    List<Queued> updates = new ArrayList<>();
    for (JsonNode item : array) {
      JsonNode bucket = item.get("bucket");
      JsonNode key = item.get("key");
      JsonNode body = item.get("body");
      JsonNode observes = item.get("observes");
      if (bucket == null
          || !bucket.isTextual()
          || key == null
          || !key.isTextual()
          || body == null
          || !body.isObject()
          || observes == null
          || !observes.isBoolean()) {
        throw new SQLException(
            "a queue record in the offline directory holds an update that is not"
                + " {bucket, key, body, observes}");
      }
      updates.add(
          new Queued(
              bucket.textValue(), key.textValue(), (ObjectNode) body, observes.booleanValue()));
    }
    return updates;
  }

  private static JsonNode parse(String text) throws SQLException {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new SQLException("unreadable JSON in the offline directory", e);
    }
  }
}
