namespace Chartseal.Cli.Tests;

/// <summary>The check of a document's shown output (<see cref="DocScript.AssertShows"/>) itself: what it lets differ, and what not.</summary>
public sealed class DocScriptTests
{
    private const string Shown = "Revoked 65D4388CFD8581E12E917C1BC7D84F350A9CCEEA: laptop stolen\n"
        + "Updated: repo trust version 4, expires 2027-02-22T19:27:34Z, root 9F0EA2C20BAB9B57DF85C1A517AD92C4B26C06D7\n";

    [Fact]
    public void Fingerprints_times_and_column_widths_may_differ()
    {
        string output = "Generated key 1F6C0D1B8653812527A4E79F0F769565119CEA67\n"
            + "Revoked 5FEC90FA95D008D7C8A484BD64C29159DCA62F1C: laptop  stolen\n"
            + "Updated: repo trust version 4, expires 2027-03-01T09:34:22Z, root 5B6E9E2479947658D0A92AF88EF0818A7883681B\n";

        DocScript.AssertShows(output, [Shown]);
    }

    [Theory]
    [InlineData("Revoked 5FEC90FA95D008D7C8A484BD64C29159DCA62F1C: laptop stolen\nUpdated: repo trust version 5, expires 2027-03-01T09:34:22Z, root 5B6E9E2479947658D0A92AF88EF0818A7883681B\n")]
    [InlineData("Revoked 5FEC90FA95D008D7C8A484BD64C29159DCA62F1C: laptop stolen\nchartseal: note\nUpdated: repo trust version 4, expires 2027-03-01T09:34:22Z, root 5B6E9E2479947658D0A92AF88EF0818A7883681B\n")]
    [InlineData("Updated: repo trust version 4, expires 2027-03-01T09:34:22Z, root 5B6E9E2479947658D0A92AF88EF0818A7883681B\nRevoked 5FEC90FA95D008D7C8A484BD64C29159DCA62F1C: laptop stolen\n")]
    public void A_changed_number_an_extra_line_or_another_order_fails(string output) =>
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => DocScript.AssertShows(output, [Shown]));

    [Fact]
    public void The_blocks_are_found_in_their_order()
    {
        string output = "b\na\n";

        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => DocScript.AssertShows(output, ["a\n", "b\n"]));
        DocScript.AssertShows(output, ["b\n", "a\n"]);
    }
}
