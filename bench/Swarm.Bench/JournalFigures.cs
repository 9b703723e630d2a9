using System.Diagnostics;
using System.Globalization;
using Swarm.Core.Engine;
using Swarm.Core.Model;
using Swarm.Storage;

namespace Swarm.Bench;

/// <summary>
/// The SQLite journal alone (<c>dotnet run -c Release --project bench/Swarm.Bench -- journal [tasks] [batch]</c>; default
/// 20,000 tasks in transactions of 500): one workflow accepted, then each task's attempt and its committed result, as
/// the director writes them, in transactions of [batch] commands with <c>synchronous=FULL</c> (every transaction fsynced).
/// </summary>
public static class JournalFigures
{
    /// <summary>Prints microseconds a task (attempt plus commit) and per transaction.</summary>
    public static void Run(int tasks, int batch)
    {
        foreach (var full in new[] { true, false })
        {
            var dir = Path.Combine(Path.GetTempPath(), "swarm-journal-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(dir);
            try
            {
                using var store = new SqliteDirectorStore(Path.Combine(dir, "swarm.db"), synchronousFull: full);
                store.OpenEpoch();
                var specs = Enumerable.Range(0, tasks).Select(i => new MicroTaskSpec
                {
                    Id = "t" + i.ToString(CultureInfo.InvariantCulture), Kind = TaskKind.Function, Function = "echo", Resources = new ResourceVector(7, 16),
                }).ToList();
                var at = DateTimeOffset.UnixEpoch;
                store.Apply([new DirectorCommand.WorkflowAccepted("wf", new WorkflowSpec { Name = "bench", Tasks = specs }, at)]);
                var commands = new List<DirectorCommand>();
                foreach (var s in specs)
                {
                    var a = new AttemptRef("wf", s.Id, 1);
                    commands.Add(new DirectorCommand.AttemptStarted(a, "p1", 0.00001, "round 12: p1 won: cheapest of 8 bids (price 0.000010/core-s, time 0.001 s, risk 0.0001); paid the second price"));
                    commands.Add(new DirectorCommand.ResultCommitted(a, "p1", new TaskResult { Attempt = a, Success = true, Output = [49], RuntimeSeconds = 0.0001 }, 0.00001, 0.0000001));
                }

                var started = Stopwatch.GetTimestamp();
                var transactions = 0;
                for (var i = 0; i < commands.Count; i += batch)
                {
                    store.Apply(commands.GetRange(i, Math.Min(batch, commands.Count - i)));
                    transactions++;
                }

                var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"[journal] {tasks} tasks, {batch} commands a transaction, synchronous={(full ? "FULL" : "NORMAL")}: {seconds * 1e6 / tasks:0.0} us a task (attempt + commit), {seconds * 1e3 / transactions:0.00} ms a transaction, {tasks / seconds:0} tasks/s"));
            }
            finally
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
