package dev.backchannel.examples;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** This module uses only the public API of the other modules: no {@code internal} package. */
class ModuleBoundariesTest {
  @Test
  void noReachIntoAnotherModulesInternals() {
    JavaClasses classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.backchannel.examples");
    assertThat(classes.size()).isGreaterThan(1);
    noClasses().should().dependOnClassesThat()
        .resideInAnyPackage("dev.backchannel.crypto.internal..", "dev.backchannel.netty.internal..")
        .check(classes);
  }
}
