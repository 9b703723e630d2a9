using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Swarm.IntegrationTests.Infrastructure;
using Xunit;

namespace Swarm.IntegrationTests;

/// <summary>
/// The chaos test of issue 4: about 2,000 tasks (a fan-out/fan-in DAG) over 6 probe processes while probes are
/// killed with SIGKILL at random moments and restarted, one is frozen with SIGSTOP, and the director is killed
/// with SIGKILL and restarted twice. It runs <c>swarm chaos</c> (which checks itself) and then checks the
/// director's state file on its own: every task committed, with the value its id implies, and nothing twice.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ChaosTests
{
    [Fact]
    public async Task Chaos_TwoThousandTasksSixProbesProbeKillsStopAndTwoDirectorKills_EveryResultCorrectAndCommittedOnce()
    {
        var dir = Path.Combine(Path.GetTempPath(), "swarm-chaos-test-" + Guid.NewGuid().ToString("N"));
        var report = Path.Combine(dir, "report.json");
        Directory.CreateDirectory(dir);
        try
        {
            var (code, stdout, stderr) = await SwarmBinary.RunAsync([
                "chaos", "--tasks", "2000", "--probes", "6", "--probe-kills", "6", "--stop-seconds", "3", "--director-kills", "2", "--seed", "3",
                "--data-dir", dir, "--port", FreePort().ToString(CultureInfo.InvariantCulture), "--report", report,
            ], TimeSpan.FromMinutes(9));
            TestContext.Current.TestOutputHelper?.WriteLine(stdout);

            Assert.True(code == 0, $"swarm chaos exited {code}\n{stdout}\n{stderr}");
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
            var r = json.RootElement;
            Assert.True(r.GetProperty("Tasks").GetInt32() >= 1900, stdout);
            Assert.Equal(2, r.GetProperty("DirectorKills").GetInt32());
            Assert.True(r.GetProperty("ProbeKills").GetInt32() >= 3, stdout);
            Assert.Equal(1, r.GetProperty("ProbeStops").GetInt32());
            Assert.Equal(0, r.GetProperty("DuplicateCommits").GetInt32());

            // On its own: read the committed state and recompute every value from the task ids.
            var rows = ReadTasks(Path.Combine(dir, "director.db"));
            Assert.Equal(r.GetProperty("Tasks").GetInt32(), rows.Count);
            Assert.All(rows.Values, t => Assert.Equal("Succeeded", t.State));
            var leaves = rows.Keys.Where(k => k.Contains("-t", StringComparison.Ordinal)).ToList();
            foreach (var id in leaves)
            {
                var parts = id[1..].Split("-t");
                var expected = 7 + (int.Parse(parts[0], CultureInfo.InvariantCulture) * 1000) + int.Parse(parts[1], CultureInfo.InvariantCulture);
                Assert.Equal(expected, rows[id].Value);
            }

            foreach (var sum in rows.Keys.Where(k => k.EndsWith("-sum", StringComparison.Ordinal)))
            {
                var group = sum[..^4];
                Assert.Equal(leaves.Where(l => l.StartsWith(group + "-t", StringComparison.Ordinal)).Sum(l => rows[l].Value), rows[sum].Value);
            }

            Assert.Equal(rows.Where(kv => kv.Key.EndsWith("-sum", StringComparison.Ordinal)).Sum(kv => kv.Value.Value), rows["total"].Value);

            // Every committed attempt really ran: its (task, attempt) is in the executions log the tasks append to.
            var executed = File.ReadLines(Path.Combine(dir, "executions.log")).ToHashSet(StringComparer.Ordinal);
            Assert.All(rows, kv => Assert.Contains($"{kv.Key} {kv.Value.Attempt}", executed));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static Dictionary<string, (string State, long Value, int Attempt)> ReadTasks(string db)
    {
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT task_id, state, result_output, result_attempt FROM tasks";
        using var reader = cmd.ExecuteReader();
        var rows = new Dictionary<string, (string, long, int)>(StringComparer.Ordinal);
        while (reader.Read())
        {
            var output = reader.IsDBNull(2) ? "" : System.Text.Encoding.UTF8.GetString(reader.GetFieldValue<byte[]>(2)).Trim();
            rows.Add(reader.GetString(0), (reader.GetString(1), long.TryParse(output, CultureInfo.InvariantCulture, out var v) ? v : -1, reader.IsDBNull(3) ? 0 : reader.GetInt32(3)));
        }

        return rows;
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
