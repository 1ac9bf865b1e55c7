/// Whether someone holding the box's store credentials could destroy footage already stored:
/// what `check` prints and `/health` carries, found by trying it on a probe object.
package struct DeletionFinding: Sendable, Equatable {
    /// nil when the probe could not tell (the store did not answer).
    package var thiefCanDelete: Bool?
    /// Why, in a few words: what worked, or what refused it.
    package var reason: String

    package init(thiefCanDelete: Bool?, reason: String) {
        self.thiefCanDelete = thiefCanDelete
        self.reason = reason
    }

    package var answer: String { thiefCanDelete.map { $0 ? "yes" : "no" } ?? "unknown" }

    /// `a thief with these keys can delete footage: no (object lock compliance, 30d)`.
    package var line: String { "a thief with these keys can delete footage: \(answer) (\(reason))" }
}
