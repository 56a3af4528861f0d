using Chartseal.Oci;

namespace Chartseal.Tests.Oci;

public class OciReferenceTests
{
    [Theory]
    [InlineData("oci://127.0.0.1:5000/ns/app:1.0.0", "127.0.0.1:5000", "ns/app", "1.0.0", null)]
    [InlineData("oci://registry.example.com/charts", "registry.example.com", "charts", null, null)]
    [InlineData("registry.example.com/a/b/c:v1", "registry.example.com", "a/b/c", "v1", null)]
    [InlineData("oci://localhost:5000/ns/app@sha256:e5ef611620fb97704d8751c16bab17fedb68883bfb0edc76f78a70e9173f9b55", "localhost:5000", "ns/app", null,
        "sha256:e5ef611620fb97704d8751c16bab17fedb68883bfb0edc76f78a70e9173f9b55")]
    [InlineData("oci://h/ns/app:1.0@sha256:e5ef611620fb97704d8751c16bab17fedb68883bfb0edc76f78a70e9173f9b55", "h", "ns/app", "1.0",
        "sha256:e5ef611620fb97704d8751c16bab17fedb68883bfb0edc76f78a70e9173f9b55")]
    [InlineData("oci://ghcr.io", "ghcr.io", "", null, null)]
    [InlineData("oci://ghcr.io/org/charts/", "ghcr.io", "org/charts", null, null)]
    [InlineData("OCI://[::1]:5000/a__b/c-d.e--f", "[::1]:5000", "a__b/c-d.e--f", null, null)]
    public void Parses_the_parts(string text, string registry, string repository, string? tag, string? digest)
    {
        OciReference reference = OciReference.Parse(text);
        Assert.Equal(registry, reference.Registry);
        Assert.Equal(repository, reference.Repository);
        Assert.Equal(tag, reference.Tag);
        Assert.Equal(digest, reference.Digest);
        Assert.Equal(reference, OciReference.Parse(reference.ToString()));
    }

    [Fact]
    public void A_plus_in_a_tag_is_written_as_an_underscore_as_Helm_does()
    {
        OciReference reference = OciReference.Parse("oci://h:1/ns/app:1.2.3+build.7");
        Assert.Equal("1.2.3_build.7", reference.Tag);
        Assert.Equal("oci://h:1/ns/app:1.2.3_build.7", reference.ToString());
        Assert.Equal("1.2.3_build.7", OciReference.TagForVersion("1.2.3+build.7"));
        Assert.Equal("1.2.3+build.7", OciReference.VersionForTag("1.2.3_build.7"));
    }

    [Theory]
    [InlineData("", "cannot be empty")]
    [InlineData("https://h/ns", "only oci://")]
    [InlineData("oci:///ns", "needs a registry host")]
    [InlineData("oci://h/Ns/app", "must be lower case")]
    [InlineData("oci://h/ns//app", "empty component")]
    [InlineData("oci://h/ns/-app", "not a valid repository name component")]
    [InlineData("oci://h/ns/app:.tag", "not a valid tag")]
    [InlineData("oci://h/ns/app:t/x", "not a valid repository name component")]
    [InlineData("oci://h:1/ns/app@sha256:abc", "not a valid digest")]
    [InlineData("oci://h:1/ns/app@md5:0123456789abcdef0123456789abcdef", "cannot check")]
    [InlineData("oci://h:1:tag", "not a valid registry")]
    [InlineData("oci://h_x/ns", "not a valid registry")]
    [InlineData("oci://h/ns/app:1.0\n", "not a valid tag")]
    [InlineData("oci://h@sha256:e5ef611620fb97704d8751c16bab17fedb68883bfb0edc76f78a70e9173f9b55", "not a valid registry")]
    public void Refuses_invalid_references_with_the_reason(string text, string reason)
    {
        var e = Assert.Throws<ChartsealException>(() => OciReference.Parse(text));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Reason);
    }

    [Theory]
    [InlineData("oci://ci:s3cret@registry.example.com/charts", "oci://registry.example.com/charts")]
    [InlineData("ci:s3cret@127.0.0.1:5000/ns/app:1.0.0", "127.0.0.1:5000/ns/app:1.0.0")]
    [InlineData("oci://ci@registry.example.com", "oci://registry.example.com")]
    public void A_user_name_or_password_in_a_reference_is_refused_without_printing_them(string text, string named)
    {
        var e = Assert.Throws<ChartsealException>(() => OciReference.Parse(text));

        Assert.Equal(named, e.File);
        Assert.Contains("helm registry login", e.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", e.Message, StringComparison.Ordinal);
        Assert.False(OciReference.TryParse(text, out _, out _));
    }

    [Fact]
    public void A_tag_longer_than_128_characters_and_a_name_longer_than_255_are_refused()
    {
        Assert.Throws<ChartsealException>(() => OciReference.Parse("oci://h/ns/app:" + new string('a', 129)));
        Assert.Equal(128, OciReference.Parse("oci://h/ns/app:" + new string('a', 128)).Tag!.Length);
        Assert.Throws<ChartsealException>(() => OciReference.Parse("oci://h/" + new string('a', 254)));
    }

    [Fact]
    public void Child_WithTag_and_WithDigest_build_references_below_a_namespace()
    {
        OciReference ns = OciReference.Parse("oci://127.0.0.1:5000/charts");
        OciReference app = ns.Child("app").WithTag("1.0.0");
        Assert.Equal("oci://127.0.0.1:5000/charts/app:1.0.0", app.ToString());
        Assert.Equal("127.0.0.1:5000/charts/app:1.0.0", app.Locator);
        Assert.Equal("1.0.0", app.ManifestReference);
        string digest = "sha256:" + new string('0', 64);
        Assert.Equal(digest, app.WithDigest(digest).ManifestReference);
        Assert.Equal("oci://ghcr.io/app", OciReference.Parse("oci://ghcr.io").Child("app").ToString());
        Assert.Throws<ChartsealException>(() => ns.Child("App"));
        Assert.Throws<ChartsealException>(() => OciReference.Parse("oci://ghcr.io").WithTag("1.0"));
        Assert.Throws<InvalidOperationException>(() => ns.ManifestReference);
    }
}
