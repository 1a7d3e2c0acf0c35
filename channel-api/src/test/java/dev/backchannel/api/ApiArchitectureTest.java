package dev.backchannel.api;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** channel-api depends on the JDK only: no Netty, Bouncy Castle, protobuf or logging types. */
class ApiArchitectureTest {
  private static JavaClasses api;

  @BeforeAll
  static void importClasses() {
    api =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.backchannel.api");
  }

  @Test
  void apiClassesWereImported() {
    // Guards the other rules against passing vacuously on an empty import.
    org.assertj.core.api.Assertions.assertThat(api.size()).isGreaterThan(5);
  }

  @Test
  void apiImportsNeitherNettyNorBouncyCastle() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.netty..", "org.bouncycastle..", "com.google.protobuf..", "org.slf4j..",
            "org.rocksdb..")
        .check(api);
  }

  @Test
  void apiDoesNotReachIntoImplementationModules() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.backchannel.crypto..", "dev.backchannel.netty..")
        .check(api);
  }
}
