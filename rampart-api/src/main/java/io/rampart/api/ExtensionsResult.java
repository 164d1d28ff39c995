package io.rampart.api;

import com.fasterxml.jackson.annotation.JsonValue;
import io.rampart.model.extension.ExtensionDescription;
import java.util.List;

/** The matches and targets Rampart knows, with their options and help; JSON is the list itself. */
public record ExtensionsResult(@JsonValue List<ExtensionDescription> extensions) {

    public ExtensionsResult {
        extensions = List.copyOf(extensions);
    }
}
