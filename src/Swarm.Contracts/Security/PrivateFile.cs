namespace Swarm.Contracts.Security;

/// <summary>Files that hold secrets (keys, connection files): created readable and writable by their owner only, replaced atomically.</summary>
public static class PrivateFile
{
    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> through a temporary file (mode 0600 on Unix) and a rename.</summary>
    public static void Write(string path, string text)
    {
        // A fresh, unpredictable temporary name created exclusively: a planted file or link there cannot be followed.
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var tmp = path + "." + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)) + ".tmp";
        using (var w = new StreamWriter(tmp, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false), options))
        {
            w.Write(text);
        }

        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>
    /// Creates a folder for secrets readable by its owner only (0700 on Unix), or checks an existing one: a folder
    /// others may write to is refused, since they could plant or swap what is kept there.
    /// </summary>
    public static void EnsurePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            return;
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
        {
            throw new InvalidOperationException($"{path} holds credentials but others may write to it (mode {Convert.ToString((int)mode, 8)}); make it private (chmod 700) or choose another folder");
        }
    }
}
