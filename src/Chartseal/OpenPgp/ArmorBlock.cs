namespace Chartseal.OpenPgp;

/// <summary>One <c>-----BEGIN PGP ...-----</c> to <c>-----END PGP ...-----</c> block of an armored file.</summary>
/// <param name="Type">The block type, e.g. <c>PUBLIC KEY BLOCK</c>.</param>
/// <param name="Text">The block, BEGIN and END lines included (Latin-1, so bytes survive unchanged).</param>
/// <param name="Line">1-based line of the BEGIN line, for messages.</param>
/// <param name="Complete">False when the END line is missing.</param>
internal readonly record struct ArmorBlock(string Type, string Text, int Line, bool Complete);
