package io.rampart.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.rampart.model.extension.NameDatabase;
import org.junit.jupiter.api.Test;

/**
 * Dependencies point one way: values <- model <- extension framework <- extensions <- syntax <- (reconcile
 * <- system, lb), config and trace (<- analysis) <- api <- fleet <- cli; lb <- cli.
 */
class ArchitectureTest {

    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar")) // other modules' test jars
            .importPackages("io.rampart");

    @Test
    void layersDependOnlyOnLayersBelow() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("values").definedBy("io.rampart.model.value")
                .layer("model").definedBy("io.rampart.model")
                .layer("framework").definedBy("io.rampart.model.extension")
                .layer("extensions").definedBy("io.rampart.model.extensions")
                .layer("syntax").definedBy("io.rampart.syntax..")
                .layer("config").definedBy("io.rampart.config..")
                .layer("trace").definedBy("io.rampart.trace..")
                .layer("analysis").definedBy("io.rampart.analysis..")
                .layer("reconcile").definedBy("io.rampart.reconcile..")
                .layer("system").definedBy("io.rampart.system..")
                .layer("api").definedBy("io.rampart.api..")
                .layer("lb").definedBy("io.rampart.lb..")
                .layer("fleet").definedBy("io.rampart.fleet..")
                .layer("cli").definedBy("io.rampart.cli..")
                .whereLayer("cli").mayNotBeAccessedByAnyLayer()
                .whereLayer("model").mayOnlyBeAccessedByLayers("framework", "extensions", "syntax", "config", "trace",
                        "analysis", "reconcile", "system", "api", "lb", "fleet", "cli")
                .whereLayer("api").mayOnlyBeAccessedByLayers("fleet", "cli")
                .whereLayer("lb").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("fleet").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("system").mayOnlyBeAccessedByLayers("api", "fleet", "cli")
                .whereLayer("reconcile").mayOnlyBeAccessedByLayers("system", "api", "lb", "fleet", "cli")
                .whereLayer("analysis").mayOnlyBeAccessedByLayers("api", "cli")
                .whereLayer("trace").mayOnlyBeAccessedByLayers("analysis", "api", "cli")
                .whereLayer("config").mayOnlyBeAccessedByLayers("api", "fleet", "cli")
                .whereLayer("syntax").mayOnlyBeAccessedByLayers("config", "trace", "reconcile", "system", "api", "lb",
                        "fleet", "cli")
                .whereLayer("extensions").mayOnlyBeAccessedByLayers("syntax", "config", "trace", "analysis", "reconcile",
                        "system", "api", "lb", "fleet", "cli")
                .whereLayer("framework").mayOnlyBeAccessedByLayers("extensions", "syntax", "config", "trace", "analysis",
                        "reconcile", "system", "api", "lb", "fleet", "cli")
                .check(classes);
    }

    /** This host's names are read where a program starts, the command line; every library is given the names it uses. */
    @Test
    void onlyTheCommandLineReadsThisHostsNames() {
        noClasses().that().resideOutsideOfPackage("io.rampart.cli..")
                .should().callMethod(NameDatabase.class, "system")
                .because("the model, the analysis and the other libraries look names up in the HostNames passed in")
                .check(classes);
    }
}
