package io.rampart.syntax;

/**
 * One word of a rule line after quote removal.
 *
 * @param text   the word
 * @param column where it starts on the line, counting from 1
 * @param end    the column just after it (after its closing quote when it has one)
 * @param quoted whether any part of it was between double quotes
 */
public record Token(String text, int column, int end, boolean quoted) {
}
