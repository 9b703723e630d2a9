using System.Reflection;
using System.Runtime.Loader;

namespace Swarm.Probe.Functions;

/// <summary>
/// Load context for one plug-in assembly. Assemblies the probe already has (Swarm.Probe, Swarm.Core, the
/// framework) come from the default context, so <see cref="ITaskFunction"/> is one type on both sides;
/// other dependencies are looked up next to the plug-in.
/// </summary>
internal sealed class FunctionLoadContext(string pluginPath)
    : AssemblyLoadContext($"swarm-functions:{Path.GetFileName(pluginPath)}", isCollectible: false)
{
    private readonly string _directory = Path.GetDirectoryName(pluginPath) ?? ".";

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        try
        {
            return Default.LoadFromAssemblyName(assemblyName);
        }
        catch (FileNotFoundException)
        {
            var candidate = Path.Combine(_directory, assemblyName.Name + ".dll");
            return File.Exists(candidate) ? LoadFromAssemblyPath(candidate) : null;
        }
    }
}
