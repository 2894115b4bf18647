package io.meridian.sdk;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Three real regions, each behind a {@link FaultProxy}, new for every test. */
abstract class ProxiedRegions {
  @TempDir Path data;
  LocalRegions regions;
  List<FaultProxy> proxies;

  @BeforeEach
  void startRegions() throws Exception {
    regions = new LocalRegions(data);
    proxies = regions.proxies();
  }

  @AfterEach
  void stopRegions() {
    proxies.forEach(FaultProxy::close);
    regions.close();
  }
}
