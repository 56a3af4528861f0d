using Chartseal.Provenance;

namespace Chartseal.Tests.Provenance;

/// <summary>
/// The files section after "...": the block reader and YamlDotNet's representation model (which reads the rest) give
/// the same files and the same refusals.
/// </summary>
public class ProvenanceBodyFilesTests
{
    private const string Metadata = "apiVersion: v2\nname: demo\nversion: 0.1.0\n\n...\n";

    [Theory]
    [InlineData("files:\n  demo-0.1.0.tgz: sha256:abc\n", "demo-0.1.0.tgz", "sha256:abc")]
    [InlineData("files:\n  demo-0.1.0.tgz: \"sha256:abc\"\n", "demo-0.1.0.tgz", "sha256:abc")]
    [InlineData("Files:\n  demo-0.1.0.tgz: sha256:abc\n", "demo-0.1.0.tgz", "sha256:abc")]           // Helm: case-insensitive
    [InlineData("files:\n  demo-0.1.0.tgz: ~\n", "demo-0.1.0.tgz", "~")]                          // a scalar, as YamlStream keeps it
    [InlineData("files:\n  demo-0.1.0.tgz:\n", "demo-0.1.0.tgz", "")]
    [InlineData("files: {demo-0.1.0.tgz: sha256:abc}\n", "demo-0.1.0.tgz", "sha256:abc")]         // flow: read by YamlDotNet
    public void Files_are_read(string sums, string name, string expected)
    {
        var body = ProvenanceBody.TryParse(Metadata + sums, out string error);

        Assert.True(body is not null, error);
        Assert.Equal(expected, body.Files[name]);
    }

    [Theory]
    [InlineData("files:\n", "'files' is not a mapping")]
    [InlineData("files: x\n", "'files' is not a mapping")]
    [InlineData("files:\n  a.tgz:\n    b: c\n", "'files' holds a value that is not a string")]
    [InlineData("files:\n  a.tgz: x\n  a.tgz: y\n", "'files' lists a.tgz twice")]    // the bounded reader's duplicate check
    [InlineData("- a\n", "the part after '...' is not a YAML mapping")]
    [InlineData("", "the part after '...' is not a YAML mapping")]
    public void Bad_files_sections_are_refused(string sums, string expected)
    {
        Assert.Null(ProvenanceBody.TryParse(Metadata + sums, out string error));
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }
}
