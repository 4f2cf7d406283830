package org.pathways.catalogue.hsds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.util.unit.DataSize;
import org.springframework.web.ErrorResponseException;

/** Imports are read one at a time, and only when what they hold fits the heap an import may take, and takes now. */
class ImportAdmissionTest {

    private static final long MB = 1024 * 1024;
    private final AtomicLong live = new AtomicLong(100 * MB);
    /** A 256 MB heap of which 100 MB is in use; an import may take 40% of it (102 MB). */
    private final ImportAdmission admission = new ImportAdmission(
            new ImportLimits(40, null, Duration.ofMillis(100)), 256 * MB, live::get);

    @Test
    void aTabularFeedThatCouldNeverBeHeldIsRefusedBeforeItIsReadAndToldToSplitIt() {
        assertThatThrownBy(() -> admission.admit(30 * MB, ImportAdmission.TABULAR_BYTES))
                .isInstanceOfSatisfying(ErrorResponseException.class, refused -> {
                    assertThat(refused.getStatusCode().value()).isEqualTo(413);
                    assertThat(refused.getBody().getType().toString()).isEqualTo("urn:pathways:problem:too-large");
                    assertThat(refused.getBody().getDetail()).contains("Split the feed", "17 MB");
                });
        try (ImportAdmission.Permit permit = admission.admit(10 * MB, ImportAdmission.TABULAR_BYTES)) {
            assertThat(permit.bytes()).isGreaterThan(10 * MB);
        }
    }

    @Test
    void aFeedThatFitsTheHeapButNotWhatIsFreeNowIsToldToComeBackLater() {
        live.set(200 * MB);

        assertThatThrownBy(() -> admission.admit(15 * MB, ImportAdmission.TABULAR_BYTES))
                .isInstanceOfSatisfying(ErrorResponseException.class, refused -> {
                    assertThat(refused.getStatusCode().value()).isEqualTo(503);
                    assertThat(refused.getBody().getType().toString()).isEqualTo("urn:pathways:problem:service-busy");
                    assertThat(refused.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("30");
                });
        live.set(100 * MB);
        admission.admit(15 * MB, ImportAdmission.TABULAR_BYTES).close();
    }

    @Test
    void aSecondImportWhileOneIsReadWaitsItsTurnAndIsThenToldToComeBackLater() {
        ImportAdmission.Permit first = admission.admit(0, ImportAdmission.JSON_BYTES);

        assertThatThrownBy(() -> admission.admit(0, ImportAdmission.JSON_BYTES))
                .isInstanceOfSatisfying(ErrorResponseException.class, refused -> {
                    assertThat(refused.getStatusCode().value()).isEqualTo(503);
                    assertThat(refused.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("30");
                });
        first.close();
        first.close();
        admission.admit(0, ImportAdmission.JSON_BYTES).close();
    }

    @Test
    void aBodyThatHoldsMoreThanWasAdmittedIsStoppedAsItIsRead() throws Exception {
        ImportAdmission small = new ImportAdmission(new ImportLimits(40, DataSize.ofKilobytes(30),
                Duration.ofMillis(100)), 256 * MB, live::get);
        try (ImportAdmission.Permit permit = small.admit(-1, ImportAdmission.JSON_BYTES);
             InputStream in = permit.bounded(new ByteArrayInputStream(new byte[20_000]))) {
            in.readNBytes(9_000);
            permit.released();
            in.readNBytes(9_000);
            assertThatThrownBy(() -> in.readNBytes(2_000)).isInstanceOfSatisfying(ErrorResponseException.class,
                    refused -> assertThat(refused.getStatusCode().value()).isEqualTo(413));
        }
    }

    @Test
    void aStreamedDocumentPastWhatIsFreeNowButWithinTheBudgetIsToldToComeBackLater() throws Exception {
        live.set(226 * MB); // 30 MB free, of the 102 MB an import may take
        try (ImportAdmission.Permit permit = admission.admit(0, ImportAdmission.JSON_BYTES);
             InputStream in = permit.bounded(new ByteArrayInputStream(new byte[12 * (int) MB]))) {
            in.readNBytes(9 * (int) MB);
            assertThatThrownBy(() -> in.readNBytes(2 * (int) MB)).isInstanceOfSatisfying(ErrorResponseException.class,
                    refused -> {
                        assertThat(refused.getStatusCode().value()).isEqualTo(503);
                        assertThat(refused.getBody().getType().toString())
                                .isEqualTo("urn:pathways:problem:service-busy");
                        assertThat(refused.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("30");
                    });
        }
    }

    @Test
    void aStreamedDocumentPastTheBudgetIsA413NamingTheBudget() throws Exception {
        try (ImportAdmission.Permit permit = admission.admit(0, ImportAdmission.JSON_BYTES);
             InputStream in = permit.bounded(new ByteArrayInputStream(new byte[40 * (int) MB]))) {
            in.readNBytes(30 * (int) MB);
            assertThatThrownBy(() -> in.readNBytes(10 * (int) MB)).isInstanceOfSatisfying(
                    ErrorResponseException.class, refused -> {
                        assertThat(refused.getStatusCode().value()).isEqualTo(413);
                        assertThat(refused.getBody().getDetail()).contains("about 34 MB");
                    });
        }
    }

    /**
     * Under the Serial collector the old generation's collection usage is what the last full collection kept: what
     * it has taken since (promoted by young collections) is only in its usage now, and is not free.
     */
    @Test
    void whatTheOldGenerationHoldsSinceItsLastCollectionIsNotCountedAsFree() {
        List<MemoryPoolMXBean> pools = List.of(
                pool("Eden Space", 50 * MB, 0),
                pool("Survivor Space", 5 * MB, 3 * MB),
                pool("Tenured Gen", 180 * MB, 20 * MB),
                pool("Metaspace", MemoryType.NON_HEAP, 60 * MB, 0));

        assertThat(ImportAdmission.liveHeap(pools)).isEqualTo(185 * MB);
    }

    private static MemoryPoolMXBean pool(String name, long used, long kept) {
        return pool(name, MemoryType.HEAP, used, kept);
    }

    private static MemoryPoolMXBean pool(String name, MemoryType type, long used, long kept) {
        return (MemoryPoolMXBean) Proxy.newProxyInstance(MemoryPoolMXBean.class.getClassLoader(),
                new Class<?>[] {MemoryPoolMXBean.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getName" -> name;
                    case "getType" -> type;
                    case "getUsage" -> new MemoryUsage(0, used, used, -1);
                    case "getCollectionUsage" -> new MemoryUsage(0, kept, kept, -1);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
