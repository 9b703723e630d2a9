using System.Text;
using Swarm.Core.Engine;

namespace Swarm.Storage.Tests;

/// <summary>Batches of director commands for the store equivalence property.</summary>
public sealed record CommandScript(IReadOnlyList<IReadOnlyList<DirectorCommand>> Batches)
{
    public override string ToString()
    {
        var text = new StringBuilder();
        for (var i = 0; i < Batches.Count; i++)
        {
            text.Append("batch ").Append(i).AppendLine(":");
            foreach (var command in Batches[i])
            {
                text.Append("  ").AppendLine(command.ToString());
            }
        }

        return text.ToString();
    }
}
