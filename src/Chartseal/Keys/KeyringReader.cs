using Org.BouncyCastle.Bcpg.OpenPgp;
using Chartseal.OpenPgp;

namespace Chartseal.Keys;

/// <summary>
/// Turns keyring bytes (binary, armored, keybox) into BouncyCastle rings, one transferable key at a
/// time, so a key BouncyCastle rejects costs only that key.
/// </summary>
internal static class KeyringReader
{
    private const int MarkerTag = 10;
    private const string SignatureBlock = "SIGNATURE";

    public static void Read(ReadOnlyMemory<byte> data, string sourceName, Keyring.KeyringBuilder builder)
    {
        ReadOnlySpan<byte> span = data.Span;
        if (span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return;
        }
        if (Keybox.IsKeybox(span))
        {
            List<ReadOnlyMemory<byte>> blocks;
            try
            {
                blocks = Keybox.ExtractKeyblocks(data);
            }
            catch (FormatException e)
            {
                throw new ChartsealException(sourceName, "damaged GnuPG keybox: " + e.Message, e);
            }
            for (int i = 0; i < blocks.Count; i++)
            {
                ReadPackets(blocks[i].Span, $"keybox key {i + 1}, ", builder);
            }
        }
        else if (IsBinary(span))
        {
            ReadPackets(span, "", builder);
        }
        else if (Armor.LooksArmored(span))
        {
            ReadArmored(span, builder);
        }
        else if (IsAgentKeyFile(span))
        {
            throw new ChartsealException(sourceName, "a GnuPG agent key file (private-keys-v1.d), not an OpenPGP keyring: export the key with gpg --export-secret-keys, or sign with --gpg");
        }
        else
        {
            throw new ChartsealException(sourceName, "not an OpenPGP keyring (neither binary OpenPGP, ASCII armor nor a GnuPG keybox)");
        }
    }

    // gpg-agent's key files: the extended format ("Created: ...", "Key: (private-key ...") or a bare canonical
    // S-expression ("(11:private-key", "(21:protected-private-key", "(20:shadowed-private-key").
    private static bool IsAgentKeyFile(ReadOnlySpan<byte> data) =>
        (data.StartsWith("Created:"u8) || data.StartsWith("Key:"u8) || data.StartsWith("("u8))
        && data[..Math.Min(data.Length, 4096)].IndexOf("private-key"u8) >= 0;

    // Binary packets start with a byte whose top bit is set; a UTF-8 BOM (EF BB BF) does too, but
    // means text.
    private static bool IsBinary(ReadOnlySpan<byte> data) => (data[0] & 0x80) != 0 && data is not [0xEF, 0xBB, 0xBF, ..];

    private static void ReadArmored(ReadOnlySpan<byte> data, Keyring.KeyringBuilder builder)
    {
        foreach (ArmorBlock block in Armor.Split(data))
        {
            string location = $"armor block at line {block.Line}";
            // A revocation certificate may come armored as a signature (sq key generate's KEY.rev, sq revoke): read its
            // packets like the others, so the revocation is attached to its key. Any other signature is not key material.
            bool signature = block.Type == SignatureBlock;
            if (!signature && block.Type is not (Armor.PublicKeyBlock or Armor.PrivateKeyBlock or "SECRET KEY BLOCK"))
            {
                builder.Skipped.Add(new SkippedKey(location, $"a PGP {block.Type}, not a key block"));
                continue;
            }
            if (!block.Complete)
            {
                builder.Skipped.Add(new SkippedKey(location, "no END line"));
                continue;
            }
            byte[] packets;
            try
            {
                packets = Armor.Decode(block);
            }
            catch (IOException e)
            {
                builder.Skipped.Add(new SkippedKey(location, "damaged armor: " + e.Message));
                continue;
            }
            if (signature && !HoldsKeyRevocation(packets))
            {
                builder.Skipped.Add(new SkippedKey(location, $"a PGP {block.Type}, not a key block (nor a revocation certificate)"));
                continue;
            }
            ReadPackets(packets, location + ", ", builder);
        }
    }

    private static bool HoldsKeyRevocation(ReadOnlySpan<byte> data)
    {
        foreach (RawPacket packet in PacketReader.ReadAll(data, out _))
        {
            if (packet.Tag == PacketReader.SignatureTag && ReadRevocation(data, packet) is not null)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Splits a packet stream into transferable keys and hands each to BouncyCastle.</summary>
    private static void ReadPackets(ReadOnlySpan<byte> data, string location, Keyring.KeyringBuilder builder)
    {
        List<RawPacket> packets = PacketReader.ReadAll(data, out int? errorOffset);
        int groupStart = -1;
        bool reportedStray = false;
        for (int i = 0; i <= packets.Count; i++)
        {
            bool atKey = i < packets.Count && packets[i].Tag is PacketReader.PublicKeyTag or PacketReader.SecretKeyTag;
            if (i == packets.Count || atKey)
            {
                if (groupStart >= 0)
                {
                    ReadKey(data, packets.GetRange(groupStart, i - groupStart), location, builder);
                }
                groupStart = i;
                continue;
            }
            if (groupStart >= 0 || packets[i].Tag is MarkerTag or PacketReader.TrustTag)
            {
                continue;
            }
            if (packets[i].Tag == PacketReader.SignatureTag && ReadRevocation(data, packets[i]) is PgpSignature revocation)
            {
                // A stand-alone revocation certificate (gpg --gen-revoke output, appended to the keyring):
                // attached to its key, where KeyValidity checks that it verifies.
                builder.AddRevocation(revocation, $"{location}byte {packets[i].Start}");
            }
            else if (!reportedStray)
            {
                // e.g. a detached signature passed as a keyring
                builder.Skipped.Add(new SkippedKey($"{location}byte {packets[i].Start}", $"packet of type {packets[i].Tag} outside any key"));
                reportedStray = true;
            }
        }
        if (errorOffset is int offset)
        {
            builder.Skipped.Add(new SkippedKey($"{location}byte {offset}", "unreadable OpenPGP packet header; the rest of the data was ignored"));
        }
    }

    /// <summary>The key revocation (0x20) in a signature packet, else null.</summary>
    private static PgpSignature? ReadRevocation(ReadOnlySpan<byte> data, RawPacket packet)
    {
        // The type is the second byte of a v4 body, the third of a v3 one; parse only revocations.
        ReadOnlySpan<byte> body = data[packet.BodyStart..packet.End];
        int type = body switch
        {
            [4, byte t, ..] => t,
            [3, _, byte t, ..] => t,
            _ => -1,
        };
        if (type != PgpSignature.KeyRevocation)
        {
            return null;
        }
        try
        {
            var signatures = new PgpObjectFactory(data[packet.Start..packet.End].ToArray()).NextPgpObject() as PgpSignatureList;
            return signatures is { Count: 1 } && signatures[0].SignatureType == PgpSignature.KeyRevocation ? signatures[0] : null;
        }
        catch (Exception e) when (BcFailures.IsExpected(e))
        {
            return null;
        }
    }

    /// <summary>Parses one transferable key, dropping the parts BouncyCastle cannot handle first.</summary>
    private static void ReadKey(ReadOnlySpan<byte> data, List<RawPacket> group, string location, Keyring.KeyringBuilder builder)
    {
        RawPacket primary = group[0];
        string where = $"{location}byte {primary.Start}";
        if (WhyUnsupported(data, primary) is string primaryReason)
        {
            builder.Skipped.Add(new SkippedKey(where, primaryReason));
            return;
        }

        using var kept = new MemoryStream();
        bool droppingSubkey = false;
        foreach (RawPacket packet in group)
        {
            switch (packet.Tag)
            {
                case PacketReader.PublicSubkeyTag or PacketReader.SecretSubkeyTag:
                    string? reason = WhyUnsupported(data, packet);
                    droppingSubkey = reason is not null;
                    if (reason is not null)
                    {
                        builder.Skipped.Add(new SkippedKey($"{where}, subkey at byte {packet.Start}", reason));
                        continue;
                    }
                    break;
                case PacketReader.UserIdTag or PacketReader.UserAttributeTag:
                    droppingSubkey = false;
                    break;
                case PacketReader.SignatureTag:
                    // BouncyCastle reads only v3/v4 signatures; a v5/v6 one would fail the whole key.
                    if (droppingSubkey || packet.BodyLength < 3 || data[packet.BodyStart] is not (3 or 4))
                    {
                        continue;
                    }
                    if (ReadRevocation(data, packet) is PgpSignature revocation)
                    {
                        // `cat key.gpg revocation.gpg` puts a key revocation after the last subkey, where
                        // BouncyCastle would file it under that subkey; attach it to its issuer instead.
                        builder.AddRevocation(revocation, $"{where}, signature at byte {packet.Start}");
                        continue;
                    }
                    break;
                case PacketReader.PublicKeyTag or PacketReader.SecretKeyTag:
                    break;
                case PacketReader.TrustTag:
                    if (droppingSubkey)
                    {
                        continue;
                    }
                    break;
                default:
                    continue; // padding, marker, private or unknown packets carry nothing we use
            }
            kept.Write(data[packet.Start..packet.End]);
        }

        try
        {
            byte[] bytes = kept.ToArray();
            if (primary.Tag == PacketReader.SecretKeyTag)
            {
                builder.AddSecret(new PgpSecretKeyRing(bytes), where);
            }
            else
            {
                builder.AddPublic(new PgpPublicKeyRing(bytes), where);
            }
        }
        catch (Exception e) when (BcFailures.IsExpected(e))
        {
            builder.Skipped.Add(new SkippedKey(where, "unreadable key: " + e.Message));
        }
    }

    /// <summary>Why a key packet is one we cannot use, or null. Body: version, 4-byte time, algorithm.</summary>
    private static string? WhyUnsupported(ReadOnlySpan<byte> data, RawPacket packet)
    {
        if (packet.BodyLength < 6)
        {
            return "truncated key packet";
        }
        int version = data[packet.BodyStart];
        if (version != 4)
        {
            return version switch
            {
                2 or 3 => "obsolete v3 key (not supported)",
                5 => "LibrePGP v5 key (not supported)",
                6 => "OpenPGP v6 key (RFC 9580) is not supported",
                _ => $"unknown key version {version}",
            };
        }
        int algorithm = data[packet.BodyStart + 5];
        return algorithm switch
        {
            1 or 2 or 3 or 16 or 17 or 18 or 19 or 20 or 22 or 25 or 26 or 27 or 28 => null,
            _ => $"unsupported public-key algorithm {algorithm}",
        };
    }
}
