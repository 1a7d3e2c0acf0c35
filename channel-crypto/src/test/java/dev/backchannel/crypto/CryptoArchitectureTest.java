package dev.backchannel.crypto;

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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Module rules for channel-crypto: no networking, no reach into other modules' internals, and no
 * Bouncy Castle or protobuf type in a public signature outside {@code internal}.
 */
class CryptoArchitectureTest {
  private static JavaClasses crypto;

  @BeforeAll
  static void importClasses() {
    crypto =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.backchannel.crypto");
  }

  @Test
  void cryptoClassesWereImported() {
    assertThat(crypto.size()).isGreaterThan(5);
  }

  @Test
  void cryptoDoesNotUseNettyOrTheRuntime() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.netty..", "dev.backchannel.netty..", "org.rocksdb..")
        .check(crypto);
  }

  @Test
  void publicSignaturesOutsideInternalExposeNoBouncyCastleOrProtobuf() {
    DescribedPredicate<JavaMethod> publicApi =
        new DescribedPredicate<>("public methods of public types outside internal") {
          @Override
          public boolean test(JavaMethod m) {
            return m.getModifiers().contains(JavaModifier.PUBLIC)
                && m.getOwner().getModifiers().contains(JavaModifier.PUBLIC)
                && !m.getOwner().getPackageName().contains(".internal");
          }
        };
    ArchCondition<JavaMethod> noForeignTypes =
        new ArchCondition<>("not mention Bouncy Castle or protobuf types") {
          @Override
          public void check(JavaMethod m, ConditionEvents events) {
            java.util.List<JavaClass> types = new java.util.ArrayList<>(m.getRawParameterTypes());
            types.add(m.getRawReturnType());
            for (JavaClass t : types) {
              String n = t.getName();
              if (n.startsWith("org.bouncycastle.") || n.startsWith("com.google.protobuf.")
                  || n.startsWith("dev.backchannel.crypto.internal.")) {
                events.add(SimpleConditionEvent.violated(m, m.getFullName() + " exposes " + n));
              }
            }
          }
        };
    methods().that(publicApi).should(noForeignTypes).allowEmptyShould(false).check(crypto);
  }
}
