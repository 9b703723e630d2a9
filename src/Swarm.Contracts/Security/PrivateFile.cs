namespace Swarm.Contracts.Security;

/// <summary>Files that hold secrets (keys, connection files): created readable and writable by their owner only, replaced atomically.</summary>
public static class PrivateFile
{
    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> through a temporary file (mode 0600 on Unix) and a rename.</summary>
    public static void Write(string path, string text)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var tmp = path + ".tmp";
        using (var w = new StreamWriter(tmp, System.Text.Encoding.UTF8, options))
        {
            w.Write(text);
        }

        File.Move(tmp, path, overwrite: true);
    }
}
