package dev.backchannel.netty;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Module rules for channel-netty: it never reaches into channel-crypto's internals, and its
 * public API outside {@code internal} mentions no Netty, protobuf, RocksDB or Bouncy Castle type.
 */
class NettyArchitectureTest {
  private static JavaClasses netty;

  @BeforeAll
  static void importClasses() {
    netty = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.backchannel.netty");
  }

  @Test
  void classesWereImported() {
    assertThat(netty.size()).isGreaterThan(10);
  }

  @Test
  void noReachIntoCryptoInternals() {
    noClasses().should().dependOnClassesThat().resideInAPackage("dev.backchannel.crypto.internal..")
        .check(netty);
  }

  @Test
  void publicSignaturesExposeNoTransportOrLibraryTypes() {
    DescribedPredicate<JavaMethod> publicApi = new DescribedPredicate<>("public API methods") {
      @Override
      public boolean test(JavaMethod m) {
        return m.getModifiers().contains(JavaModifier.PUBLIC)
            && m.getOwner().getModifiers().contains(JavaModifier.PUBLIC)
            && !m.getOwner().getPackageName().contains(".internal");
      }
    };
    ArchCondition<JavaMethod> clean = new ArchCondition<>("use only JDK and Backchannel types") {
      @Override
      public void check(JavaMethod m, ConditionEvents events) {
        List<JavaClass> types = new ArrayList<>(m.getRawParameterTypes());
        types.add(m.getRawReturnType());
        for (JavaClass t : types) {
          String n = t.getName();
          if (n.startsWith("io.netty.") || n.startsWith("com.google.protobuf.")
              || n.startsWith("org.rocksdb.") || n.startsWith("org.bouncycastle.")
              || n.contains(".internal.")) {
            events.add(SimpleConditionEvent.violated(m, m.getFullName() + " exposes " + n));
          }
        }
      }
    };
    methods().that(publicApi).should(clean).allowEmptyShould(false).check(netty);
  }
}
