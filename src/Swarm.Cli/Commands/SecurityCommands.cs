using System.CommandLine;
using System.Globalization;
using Grpc.Core;
using Spectre.Console;
using Swarm.Cli.Infrastructure;

namespace Swarm.Cli.Commands;

/// <summary>`swarm token`, `swarm key`, `swarm audit`: credentials and the audit log.</summary>
internal static class SecurityCommands
{
    public static Command Token()
    {
        var role = new Option<string>("--role") { Description = "What the token enrols (probe)", DefaultValueFactory = _ => "probe" };
        role.AcceptOnlyFromAmong("probe");
        var ttl = new Option<string>("--ttl") { Description = "How long the token stays valid: 90s, 30m, 1h, 7d (at most 30d)", DefaultValueFactory = _ => "1h" };
        var uses = new Option<int>("--uses") { Description = "How many machines may enrol with it", DefaultValueFactory = _ => 1 };
        var probeId = new Option<string?>("--probe-id") { Description = "Only this probe id may enrol with it" };
        var create = new Command("create", "Create an enrolment token: a new machine runs `swarm probe --director URL --token TOKEN` once") { role, ttl, uses, probeId };
        create.SetAction(async (pr, ct) =>
        {
            if (!TryDuration(pr.GetValue(ttl)!, out var span))
            {
                Ui.Error($"--ttl '{pr.GetValue(ttl)}' is not a duration like 90s, 30m, 1h or 7d");
                return ExitCodes.BadInput;
            }

            using var client = CommonOptions.Connect(pr);
            try
            {
                var t = await client.CreateEnrolmentTokenAsync(span, pr.GetValue(uses), pr.GetValue(probeId) ?? "", ct).ConfigureAwait(false);
                Console.WriteLine(t.Token);
                Console.Error.WriteLine($"valid until {DateTimeOffset.FromUnixTimeMilliseconds(t.ExpiresUnixMs):u} for {pr.GetValue(uses)} enrolment(s); it pins the director's CA {t.CaSha256[..16]}...");
                return ExitCodes.Ok;
            }
            catch (RpcException ex)
            {
                return ClientCommands.Report(ex);
            }
        });
        return new Command("token", "Enrolment tokens for new probes") { create };
    }

    public static Command Key()
    {
        var tenant = new Option<string>("--tenant") { Description = "The tenant the key acts for", Required = true };
        var roles = new Option<string[]>("--role")
        {
            Description = "Roles: submit (own workflows, and read them), read (own), operator (probes, drains, incidents, audit), admin (everything)",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        roles.AcceptOnlyFromAmong("submit", "read", "operator", "admin");
        var name = new Option<string>("--name") { Description = "Who holds it (a label)", DefaultValueFactory = _ => "" };
        var outFile = new Option<string?>("--out")
        {
            Description = "Also write a connection file (director, key, CA; readable by its owner only) to hand to the key's holder: they use it with --config or SWARM_CONFIG",
        };
        var create = new Command("create", "Create an API key; it is printed once and stored only hashed") { tenant, roles, name, outFile };
        create.SetAction(async (pr, ct) =>
        {
            using var client = CommonOptions.Connect(pr);
            try
            {
                var k = await client.CreateKeyAsync(pr.GetValue(tenant)!, pr.GetValue(roles)!, pr.GetValue(name)!, ct).ConfigureAwait(false);
                Console.WriteLine(k.Key);
                if (pr.GetValue(outFile) is { Length: > 0 } path)
                {
                    // The CA is copied beside the file (NAME.ca.crt, named relative to it), so the two travel together.
                    var full = Path.GetFullPath(path);
                    var caName = Path.GetFileNameWithoutExtension(full) + ".ca.crt";
                    if (client.Options.CaCertificatePath.Length > 0)
                    {
                        File.Copy(client.Options.CaCertificatePath, Path.Combine(Path.GetDirectoryName(full)!, caName), overwrite: true);
                    }

                    new Contracts.Security.ConnectionFile
                    {
                        Director = client.Options.Address,
                        Key = k.Key,
                        Ca = client.Options.CaCertificatePath.Length > 0 ? caName : "",
                    }.Write(full);
                    Console.Error.WriteLine($"connection file written: {full}");
                }

                Console.Error.WriteLine($"key {k.Info.Id} for tenant {k.Info.Tenant} ({string.Join(", ", k.Info.Roles)}); give it as --key, SWARM_API_KEY or in a connection file");
                return ExitCodes.Ok;
            }
            catch (RpcException ex)
            {
                return ClientCommands.Report(ex);
            }
        });
        var id = new Argument<string>("key-id") { Description = "The key's id (the part after swk.)" };
        var revoke = new Command("revoke", "Revoke an API key at once") { id };
        revoke.SetAction(async (pr, ct) =>
        {
            using var client = CommonOptions.Connect(pr);
            try
            {
                await client.RevokeKeyAsync(pr.GetValue(id)!, ct).ConfigureAwait(false);
                Console.WriteLine($"key {pr.GetValue(id)} revoked");
                return ExitCodes.Ok;
            }
            catch (RpcException ex)
            {
                return ClientCommands.Report(ex);
            }
        });
        var list = new Command("list", "List API keys (never their secrets)");
        list.SetAction(async (pr, ct) =>
        {
            using var client = CommonOptions.Connect(pr);
            try
            {
                var keys = await client.ListKeysAsync(ct).ConfigureAwait(false);
                var table = new Table().AddColumns("id", "tenant", "roles", "name", "created", "revoked");
                foreach (var k in keys)
                {
                    table.AddRow(k.Id, Markup.Escape(k.Tenant), string.Join(",", k.Roles), Markup.Escape(k.Name),
                        DateTimeOffset.FromUnixTimeMilliseconds(k.CreatedUnixMs).ToString("u", CultureInfo.InvariantCulture),
                        k.RevokedUnixMs == 0 ? "" : DateTimeOffset.FromUnixTimeMilliseconds(k.RevokedUnixMs).ToString("u", CultureInfo.InvariantCulture));
                }

                AnsiConsole.Write(table);
                return ExitCodes.Ok;
            }
            catch (RpcException ex)
            {
                return ClientCommands.Report(ex);
            }
        });
        return new Command("key", "API keys of tenants: create, revoke, list") { create, revoke, list };
    }

    public static Command Audit()
    {
        var after = new Option<long>("--after") { Description = "Only entries after this sequence number", DefaultValueFactory = _ => 0 };
        var limit = new Option<int>("--limit") { Description = "At most this many entries (1-10000)", DefaultValueFactory = _ => 200 };
        var json = new Option<bool>("--json") { Description = "One JSON object per line instead of a table" };
        var cmd = new Command("audit", "Who did what, when and from where: every authenticated call to the director, oldest first") { after, limit, json };
        cmd.SetAction(async (pr, ct) =>
        {
            using var client = CommonOptions.Connect(pr);
            try
            {
                var entries = await client.AuditAsync(pr.GetValue(after), pr.GetValue(limit), ct).ConfigureAwait(false);
                if (pr.GetValue(json))
                {
                    foreach (var e in entries)
                    {
                        Console.WriteLine(Google.Protobuf.JsonFormatter.Default.Format(e));
                    }

                    return ExitCodes.Ok;
                }

                var table = new Table().AddColumns("seq", "when (UTC)", "who", "tenant", "action", "target", "from", "outcome");
                foreach (var e in entries)
                {
                    table.AddRow(e.Seq.ToString(CultureInfo.InvariantCulture), DateTimeOffset.FromUnixTimeMilliseconds(e.AtUnixMs).ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
                        Markup.Escape(e.Principal), Markup.Escape(e.Tenant), Markup.Escape(e.Action.Replace("swarm.v1.", "", StringComparison.Ordinal)), Markup.Escape(e.Target),
                        Markup.Escape(e.Peer), Markup.Escape(e.Outcome.Length > 60 ? e.Outcome[..60] + "..." : e.Outcome));
                }

                AnsiConsole.Write(table);
                return ExitCodes.Ok;
            }
            catch (RpcException ex)
            {
                return ClientCommands.Report(ex);
            }
        });
        return cmd;
    }

    /// <summary>Parses 90s, 30m, 1h, 7d (or a plain number of seconds).</summary>
    internal static bool TryDuration(string text, out TimeSpan span)
    {
        span = TimeSpan.Zero;
        text = text.Trim();
        if (text.Length == 0)
        {
            return false;
        }

        var unit = char.IsLetter(text[^1]) ? text[^1] : 's';
        var number = char.IsLetter(text[^1]) ? text[..^1] : text;
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || !double.IsFinite(n) || n <= 0)
        {
            return false;
        }

        double? seconds = unit switch
        {
            's' => n,
            'm' => n * 60,
            'h' => n * 3600,
            'd' => n * 86_400,
            _ => null,
        };
        if (seconds is not { } s || s > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }

        span = TimeSpan.FromSeconds(s);
        return true;
    }
}
