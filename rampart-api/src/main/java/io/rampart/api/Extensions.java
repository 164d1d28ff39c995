package io.rampart.api;

import io.rampart.model.Failure;
import io.rampart.model.extension.ExtensionDescription;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.Suggestions;
import io.rampart.model.extensions.StandardExtensions;
import java.util.List;

/** The extensions Rampart knows, as {@code rampart describe} and {@code GET /api/extensions} give them. */
public final class Extensions {

    private Extensions() {
    }

    /**
     * Every extension when {@code name} is null, else those of that name (a match and a target may
     * share one); refused, with the closest name as a hint, when there is none.
     */
    public static List<ExtensionSpec> named(String name) {
        List<ExtensionSpec> chosen = name == null ? StandardExtensions.registry().all()
                : StandardExtensions.registry().named(name);
        if (chosen.isEmpty()) {
            throw Failure.input("unknown extension `" + name + "'", Suggestions.hint(name,
                    StandardExtensions.registry().all().stream().map(ExtensionSpec::name).distinct().toList()));
        }
        return chosen;
    }

    /** What front ends read of {@code extensions}. */
    public static ExtensionsResult describe(List<ExtensionSpec> extensions) {
        return new ExtensionsResult(extensions.stream().map(ExtensionDescription::of).toList());
    }
}
